"""District page: all indicators of the district, trend, townships and breakdowns."""

from __future__ import annotations

from datetime import date

import polars as pl
from dash import dcc, html

from dashboards.auth import Denied, Scope
from dashboards.components import charts
from dashboards.components.formatting import STATUS_COLOURS, gap_text, status_text, value_text
from dashboards.components.help import indicator_help, info_mark
from dashboards.i18n import name, t
from dashboards.queries import district_data
from dashboards.views.persons import persons_panel
from dashboards.views.supervision import open_path
from pipelines.outputs import disclosure


def _table(header: list[str], rows: list[list], table_id: str) -> html.Table:
    return html.Table(
        [
            html.Thead(html.Tr([html.Th(h) for h in header])),
            html.Tbody(
                [html.Tr([c if isinstance(c, html.Td) else html.Td(c) for c in r]) for r in rows]
            ),
        ],
        className="plain-table",
        id=table_id,
    )


def _status(status: str | None, lang: str) -> html.Td:
    if status is None:  # hidden with a small count
        return html.Td("—")
    return html.Td(
        html.Span(
            status_text(status, lang),
            className="pill",
            style={"background": STATUS_COLOURS[status]},
        )
    )


def _indicator_name(indicator: dict, row: dict, lang: str, info) -> html.Td:
    """The indicator's name with its definition on hover, noting when its working days were
    counted Monday–Friday."""
    text = name(indicator, lang)
    if row.get("calendar_fallback"):
        text = f"{text}（{t('calendar.fallback', lang)}）"
    programme = next(p for p in info.programmes if p["code"] == row["programme"])
    help_text = indicator_help(indicator, lang, programme=programme, row=row,
                               lagging_points=info.lagging_points)  # fmt: skip
    return html.Td([text, " ", info_mark(help_text)])


def count_text(row: dict, column: str) -> str:
    """A count as shown: its small-cell mark when hidden, "—" when there is none."""
    mark = row.get(disclosure.mark_column(column))
    if mark:
        return mark
    return "—" if row[column] is None else f"{row[column]:,}"


def _any_hidden(data) -> bool:
    frames = [data.townships, *(data.breakdowns[d] for d in ("category", "gender", "age_band"))]
    marks = [disclosure.mark_column(c) for c in disclosure.COUNTS]
    return any(
        f.select(pl.any_horizontal(pl.col(m).is_not_null()).any()).item()
        for f in frames
        for m in marks
        if m in f.columns and not f.is_empty()
    )


def district_view(
    scope: Scope,
    code: str | None,
    programme: str | None,
    year: int | None,
    lang: str,
    as_of: date | None = None,
) -> html.Div:
    """The district page: `district_data`, formatted."""
    try:
        data = district_data(scope, code, programme, year, as_of)
    except Denied:
        return html.Div(
            [
                dcc.Link(t("district.back", lang), href="/"),
                html.P(t("district.unknown", lang), id="district-unknown"),
            ]
        )
    if data is None:
        return html.P(t("shell.nothing", lang))
    info, indicator = data.meta, data.indicator
    indicator_rows = [
        [_indicator_name(info.indicator_names[r["indicator"]], r, lang, info), html.Td(f"{r['denominator'] if r['denominator'] is not None else '—'}", className="num"),
         html.Td(f"{r['numerator']:,}", className="num"), html.Td(value_text(r["value"], r["unit"]), className="num"),
         html.Td(value_text(r["target"], r["unit"]), className="num"), html.Td(gap_text(r["gap"], r["unit"], lang), className="num"),
         _status(r["status"], lang), html.Td(f"{r['persons_needed']:,}" if r["persons_needed"] is not None else "—", className="num")]
        for r in data.indicators
    ]  # fmt: skip
    unit = info.indicator_names[indicator]["unit"]
    town_rows = [
        [r["township"], html.Td(count_text(r, "denominator"), className="num"),
         html.Td(count_text(r, "numerator"), className="num"), html.Td(value_text(r["value"], unit), className="num"),
         _status(r["status"], lang), html.Td(f"{r['persons_needed']:,}" if r["persons_needed"] is not None else "—", className="num")]
        for r in data.townships.iter_rows(named=True)
    ]  # fmt: skip
    programme_name = next(name(p, lang) for p in info.programmes if p["code"] == data.programme)
    subject = f"{info.jurisdiction} {data.name} {programme_name}"  # what a picture is of
    breakdown_panels = [
        charts.panel(
            f"district-{dimension}",
            f"{t(title, lang)} · {name(info.indicator_names[indicator], lang)}",
            charts.breakdown_bars(data.breakdowns[dimension], lang, unit),
            subject, data.as_of, lang,
        )
        for dimension, title in (("category", "district.by_category"), ("gender", "district.by_gender"), ("age_band", "district.by_age"))
    ]  # fmt: skip
    cols = [
        "col.indicator",
        "col.denominator",
        "col.numerator",
        "col.value",
        "col.target",
        "col.gap",
        "col.status",
        "col.needed",
    ]
    town_cols = [
        "col.township",
        "col.denominator",
        "col.numerator",
        "col.value",
        "col.status",
        "col.needed",
    ]
    heading = t("print.heading", lang, place=f"{info.jurisdiction} {data.name}",
                programme=programme_name, year=data.year, as_of=data.as_of.isoformat())  # fmt: skip
    return html.Div(
        [
            html.Div(heading, className="print-only", id="district-print-heading"),
            dcc.Link(t("district.back", lang), href="/", className="hint"),
            html.H2(f"{data.name} · {programme_name} · {data.year}", id="district-title"),
            dcc.Link(
                t("supervision.open_for", lang, district=data.name,
                  indicator=name(info.indicator_names[indicator], lang)),
                href=open_path(code, data.programme, indicator, "district"),
                id="district-supervise", className="hint",
            ) if scope.allows("supervision.manage") else None,
            html.Div(
                [html.H2(t("district.indicators", lang)), _table([t(c, lang) for c in cols], indicator_rows, "district-indicators")],
                className="panel",
            ),
            html.Div(
                [
                    charts.panel("district-trend", f"{t('overview.trend', lang)} · {name(info.indicator_names[indicator], lang)}",
                                 charts.trend(data.series, lang, unit), subject, data.as_of, lang),
                    html.Div(
                        [html.H2(t("district.townships", lang)), _table([t(c, lang) for c in town_cols], town_rows, "district-townships")],
                        className="panel",
                    ),
                ],
                className="panels",
            ),
            html.Div(breakdown_panels, className="cards", style={"marginTop": "12px"}),
            html.P(t("district.small_cells", lang), className="hint", id="district-small-cells")
            if _any_hidden(data) else None,
            persons_panel(lang) if scope.allows("persons") and code == scope.district else None,
        ]
    )  # fmt: skip
