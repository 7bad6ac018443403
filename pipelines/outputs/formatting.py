"""How figures and statuses are written for people: one definition for the pages, the
bulletins, the charts and the notification messages, in both languages."""

from __future__ import annotations

import polars as pl

# The marts' statuses in display order, with their names and colours (green met, blue on
# track, amber lagging, red behind, greys without a target or without data).
STATUS_ORDER = ("met", "on_track", "lagging", "behind", "no_target", "no_data")
STATUS_NAMES = {
    "met": {"zh": "达标", "en": "Met"},
    "on_track": {"zh": "正常", "en": "On track"},
    "lagging": {"zh": "滞后", "en": "Lagging"},
    "behind": {"zh": "严重滞后", "en": "Behind"},
    "no_target": {"zh": "未设目标", "en": "No target set"},
    "no_data": {"zh": "无数据", "en": "No data"},
}
STATUS_COLOURS = {
    "met": "#2e7d32",
    "on_track": "#1565c0",
    "lagging": "#f9a825",
    "behind": "#c62828",
    "no_target": "#9e9e9e",
    "no_data": "#e0e0e0",
}
# Text on a status colour: white on the dark ones.
STATUS_TEXT_COLOURS = {s: "#ffffff" if s in ("met", "on_track", "behind") else "#000000"
                       for s in STATUS_COLOURS}  # fmt: skip
GAP_SUFFIX = {"ratio": {"zh": "个百分点", "en": " pts"}, "count": {"zh": "人", "en": " persons"}}


def status_name(status: str, lang: str = "zh") -> str:
    return STATUS_NAMES[status][lang]


def percent(value: float | None) -> str:
    """A share as a percentage with one decimal: 0.4512 → 45.1%."""
    return "—" if value is None else f"{value:.1%}"


def value_text(value: float | None, unit: str | None) -> str:
    """An indicator value: a share as a percentage, a count with thousands separators."""
    if unit == "ratio":
        return percent(value)
    return "—" if value is None else f"{value:,.0f}"


def gap_text(gap: float | None, unit: str, lang: str | None = None) -> str:
    """A gap to the target, signed: percentage points for a share, persons for a count; with
    the unit's word when `lang` is given."""
    if gap is None:
        return "—"
    number = f"{gap:+.1f}" if unit == "ratio" else f"{gap:+,.0f}"
    if lang is None:
        return number
    return number + GAP_SUFFIX["ratio" if unit == "ratio" else "count"][lang]


def competition_rank(value: pl.Expr) -> pl.Expr:
    """Ranks, highest value first; equal values share a rank (1, 2, 2, 4) and units without a
    value come last (sharing the rank after the others). One rule for the bulletin's ranking
    and the scorecard."""
    return value.fill_null(float("-inf")).rank("min", descending=True).cast(pl.Int32)
