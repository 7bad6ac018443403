"""Overview (leadership's one page): KPI cards, district map, ranking, trend, capability."""

from __future__ import annotations

from datetime import date

from dash import html

from dashboards.auth import Scope
from dashboards.components import charts
from dashboards.components.formatting import STATUS_COLOURS, gap_text, status_text, value_text
from dashboards.components.geo import boundaries_url, centre_and_zoom
from dashboards.components.help import indicator_help, info_mark
from dashboards.i18n import name, t
from dashboards.queries import overview_data


def district_from_click(
    source: str | None, map_click: dict | None, ranking_click: dict | None
) -> str | None:
    """The unit code (a district's, or a province's prefecture's) a map or ranking click
    points at."""
    click = map_click if source == "overview-map" else ranking_click
    if not click or not click.get("points"):
        return None
    point = click["points"][0]
    return point.get("location") or point.get("customdata")


def overview_view(
    scope: Scope,
    programme: str | None,
    year: int | None,
    lang: str,
    as_of: date | None = None,
    area: str | None = None,
) -> html.Div:
    """The whole overview for a programme and year (and a province's prefecture drilled
    into): `overview_data`, formatted."""
    data = overview_data(scope, programme, year, as_of, area)
    if data is None:
        return html.P(t("shell.nothing", lang), id="overview-empty")
    unit = data.rows.item(0, "unit") if data.rows.height else "ratio"
    if data.area:
        codes = frozenset(c for c, p in data.meta.prefecture_of.items() if p == data.area)
        centre, zoom = centre_and_zoom(scope.settings, codes=codes)
    else:
        centre, zoom = centre_and_zoom(scope.settings, scope.district)
    indicator_name = name(data.meta.indicator_names[data.indicator], lang)
    place = data.meta.jurisdiction
    if data.area:
        place += f" {data.meta.prefectures[data.area]}"
    only = []
    if scope.district:
        only = [html.P(t("scope.district_only", lang, name=data.meta.units.get(scope.district, "")),
                       className="hint", id="overview-scope")]  # fmt: skip
    cards = [kpi_card(row, p, indicator, lang, data.meta.lagging_points)
             for p, indicator, row in data.cards]  # fmt: skip
    programme = next(p for p in data.meta.programmes if p["code"] == data.programme)
    subject = f"{place} {name(programme, lang)}"  # what a chart's picture is of
    heading = t("print.heading", lang, place=place, programme=name(programme, lang),
                year=data.year, as_of=data.as_of.isoformat())  # fmt: skip
    return html.Div(
        [
            html.Div(heading, className="print-only", id="overview-print-heading"),
            *breadcrumb(data, lang),
            *only,
            html.Div(cards, className="cards", id="overview-cards"),
            html.Div(
                [
                    charts.panel(
                        "overview-map",
                        f"{t(f'overview.map.{data.level}', lang)} · {indicator_name}",
                        charts.district_map(
                            boundaries_url(data.level),
                            data.rows,
                            centre,
                            zoom,
                            lang,
                            data.meta.lagging_points,
                            data.level,
                        ),
                        subject,
                        data.as_of,
                        lang,
                        config={**charts.GRAPH_CONFIG, "scrollZoom": False},
                        hint=t(f"overview.click_hint.{data.level}", lang),
                    ),
                    charts.panel(
                        "overview-ranking",
                        f"{t(f'overview.ranking.{data.level}', lang)} · {indicator_name}",
                        charts.ranking(data.rows, lang, data.level, data.top_level),
                        subject,
                        data.as_of,
                        lang,
                    ),
                ],
                className="panels",
            ),
            html.Div(
                [
                    charts.panel(
                        "overview-trend",
                        f"{t('overview.trend', lang)} · {indicator_name}",
                        charts.trend(data.series, lang, unit),
                        subject,
                        data.as_of,
                        lang,
                    ),
                    html.Div(capability_panel(data.capability, lang), className="panel"),
                ],
                className="panels",
            ),
        ]
    )


def breadcrumb(data, lang: str) -> list:
    """Where the map is, in a province: the province (a button back) › the prefecture."""
    if not data.meta.prefectures or data.top_level == "district":
        return []
    top = html.Button(data.meta.jurisdiction, id="overview-area-top", className="link-button",
                      disabled=data.area is None)  # fmt: skip
    parts = [top]
    if data.area:
        parts += [html.Span(" › "), html.Span(data.meta.prefectures[data.area],
                                              id="overview-area-name")]  # fmt: skip
    return [html.Div(parts, className="breadcrumb", id="overview-breadcrumb")]


def kpi_card(
    row: dict, programme: dict, indicator: dict, lang: str, lagging_points: float | None = None
) -> html.Div:
    unit, status = row["unit"], row["status"]
    if row["target"] is None:
        target_line = t("card.no_target", lang)
    else:
        target_line = f"{t('card.target', lang)} {value_text(row['target'], unit)}"
        if row["target_carried"]:
            target_line += t("card.carried", lang, year=row["target_year"])
    lines = [html.Div(target_line, className="line")]
    if row.get("calendar_fallback"):
        lines.append(html.Div(t("calendar.fallback", lang), className="line hint"))
    if status == "no_data":
        # Nothing reported yet: no gap, no path, no "still needed 0" that reads as done.
        lines.append(html.Div(t("card.no_data", lang), className="line needed"))
    elif row["target"] is not None:
        lines += [
            html.Div(f"{t('card.gap', lang)} {gap_text(row['gap'], unit, lang)}", className="line"),
            html.Div(
                f"{t('card.expected', lang)} {value_text(row['expected'], unit)}", className="line"
            ),
            html.Div(
                f"{t('card.needed', lang)} {row['persons_needed'] or 0:,}{t('card.persons', lang)}",
                className="line needed",
            ),
        ]
    return html.Div(
        [
            html.H3(name(programme, lang)),
            html.Div(
                [
                    name(indicator, lang),
                    " ",
                    info_mark(
                        indicator_help(
                            indicator,
                            lang,
                            programme=programme,
                            row=row,
                            lagging_points=lagging_points,
                        )
                    ),
                ],
                className="indicator",
            ),
            html.Div(value_text(row["value"], unit), className="big"),
            html.Span(
                status_text(status, lang),
                className="status",
                style={"background": STATUS_COLOURS[status]},
            ),
            *lines,
            html.Div(
                t("card.source", lang, source=row["target_source"] or programme["source"]),
                className="source",
            ),
        ],
        className="card",
        id={"type": "overview-card", "programme": programme["code"]},
        style={"borderTopColor": STATUS_COLOURS[status]},
    )


def capability_panel(capability: tuple[dict, dict, list[str]] | None, lang: str) -> list:
    """The share-of-districts indicator, naming the districts that lack capability."""
    if capability is None:
        return []
    programme, city, lacking = capability
    programme_name = name(programme, lang)
    return [
        html.H2(f"{t('overview.capability', lang)} · {programme_name}"),
        html.Div(
            [
                html.Span(value_text(city["value"], "ratio"), className="big"),
                html.Span(f"  {city['numerator']}/{city['denominator']}  ", className="hint"),
                html.Span(
                    status_text(city["status"], lang),
                    className="pill",
                    style={"background": STATUS_COLOURS[city["status"]]},
                ),
            ]
        ),
        html.Div(
            f"{t('card.target', lang)} {value_text(city['target'], 'ratio')}"
            if city["target"] is not None
            else t("card.no_target", lang),
            className="line",
        ),
        html.P(
            (t("overview.lacking", lang) + "、".join(lacking))
            if lacking
            else t("overview.all_capable", lang),
            id="overview-lacking",
        ),
    ]
