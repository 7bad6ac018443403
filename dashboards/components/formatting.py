"""How numbers and statuses are written on screen (one place, both languages)."""

from __future__ import annotations

from dashboards.i18n import t

STATUS_ORDER = ("met", "on_track", "lagging", "behind", "no_target", "no_data")
# Colour per status: green met, blue on track, amber lagging, red behind, greys without target/data.
STATUS_COLOURS = {
    "met": "#2e7d32",
    "on_track": "#1565c0",
    "lagging": "#f9a825",
    "behind": "#c62828",
    "no_target": "#9e9e9e",
    "no_data": "#e0e0e0",
}


def value_text(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:.1%}" if unit == "ratio" else f"{value:,.0f}"


def gap_text(gap: float | None, unit: str, lang: str) -> str:
    if gap is None:
        return "—"
    suffix = t("card.points", lang) if unit == "ratio" else t("card.persons", lang)
    return f"{gap:+.1f}{suffix}" if unit == "ratio" else f"{gap:+,.0f}{suffix}"


def status_text(status: str, lang: str) -> str:
    return t(f"status.{status}", lang)
