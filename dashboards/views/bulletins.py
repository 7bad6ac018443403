"""Bulletins page: periods to choose, generation with a text preview, the archive."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from dash import html
from docx import Document

from dashboards.auth import Scope
from dashboards.i18n import name, request_lang, t
from dashboards.queries import bulletin_archive, meta
from pipelines.ops import accounts
from pipelines.outputs.bulletin import build
from pipelines.outputs.bulletin.document import ALL
from pipelines.outputs.bulletin.pdf import to_pdf
from pipelines.outputs.bulletin.periods import period_choices


def period_options(year: int | None, as_of: date | None) -> list[dict]:
    """Quarters and months of the year up to the data's as-of date, newest first, and the
    year to date."""
    if not year or as_of is None:
        return []
    return [
        {"label": period_label(value), "value": value} for value, _ in period_choices(year, as_of)
    ]


def period_label(value: str, lang: str | None = None) -> str:
    """A period value ('2025', '2025-Q3', '2025-09') named in the request's language."""
    year, _, part = value.partition("-")
    if not part:
        return t("period.year", lang, year=year)
    if part.startswith("Q"):
        q = int(part[1:])
        return t(
            "period.quarter",
            lang,
            year=year,
            q="一二三四"[q - 1] if (lang or request_lang()) == "zh" else q,
        )
    month = date(int(year), int(part), 1)
    return t("period.month", lang, year=year, m=month.month, month=month.strftime("%B"))


def generate(
    scope: Scope, programme: str, period: str, issuer: str | None
) -> tuple[str, list[str], str | None]:
    """Build the bulletin (office and admin only; audited); returns (archived file name,
    preview paragraphs, the PDF preview's file name or None without LibreOffice)."""
    scope.require("bulletins.generate")
    result = build(scope.settings, programme, period, issuer=issuer or None)
    accounts.audit(scope.settings, scope.user, "bulletin_generate", result.path.name,
                   f"programme={programme} period={period}", scope.ip)  # fmt: skip
    pdf = to_pdf(result.path)
    return result.path.name, preview(result.path), pdf.name if pdf else None


def preview(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs if p.text.strip()]


def _number(number: str, lang: str) -> str:
    """A bulletin's number (2025年第1期) in `lang`."""
    found = re.fullmatch(r"(\d{4})年第(\d+)期", number)
    return t("bulletins.number_text", lang, year=found[1], n=found[2]) if found else number


def _period(label: str, lang: str) -> str:
    """A bulletin's period as the archive records it (2025年第三季度, 2025年9月, 2025年1-9月), in
    `lang`."""
    if found := re.fullmatch(r"(\d{4})年第(.)季度", label):
        return period_label(f"{found[1]}-Q{'一二三四'.index(found[2]) + 1}", lang)
    if found := re.fullmatch(r"(\d{4})年(\d{1,2})月", label):
        return period_label(f"{found[1]}-{int(found[2]):02d}", lang)
    if found := re.fullmatch(r"(\d{4})年1-(\d{1,2})月", label):
        month = date(int(found[1]), int(found[2]), 1).strftime("%B")
        return t("period.to_month", lang, year=found[1], m=found[2], month=month)
    return label


def archive_table(scope: Scope, lang: str) -> html.Table | html.P:
    entries = list(reversed(bulletin_archive(scope)))
    if not entries:
        return html.P(t("bulletins.none", lang))
    header = ["bulletins.number", "bulletins.programme", "bulletins.period", "bulletins.created",
              "bulletins.snapshot", "bulletins.download"]  # fmt: skip
    info = meta(scope)
    programmes = {p["code"]: name(p, lang) for p in (info.programmes if info else [])}
    programmes[ALL] = t("bulletins.scope.all", lang)
    rows = [
        html.Tr([html.Td(_number(e["number"], lang)), html.Td(programmes.get(e["programme"], e["programme"])),
                 html.Td(_period(e["period"], lang)), html.Td(e["created_at"].replace("T", " ")),
                 html.Td(t("bulletins.run", lang, run=e.get("snapshot_run") or "—")),
                 html.Td(html.A(e["file"], href=f"/bulletins/file/{e['file']}"))])
        for e in entries
    ]  # fmt: skip
    return html.Table(
        [html.Thead(html.Tr([html.Th(t(h, lang)) for h in header])), html.Tbody(rows)],
        className="plain-table",
        id="bulletins-archive",
    )
