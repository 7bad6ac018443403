"""Overview (leadership's one page): KPI cards, district map, ranking, trend, capability."""

from __future__ import annotations

from datetime import date

from dash import dcc, html

from dashboards.auth import Scope
from dashboards.components import charts
from dashboards.components.formatting import STATUS_COLOURS, gap_text, status_text, value_text
from dashboards.components.geo import BOUNDARIES_URL, centre_and_zoom
from dashboards.i18n import name, t
from dashboards.queries import overview_data


def district_from_click(
    source: str | None, map_click: dict | None, ranking_click: dict | None
) -> str | None:
    """The district code a map or ranking click points at."""
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
) -> html.Div:
    """The whole overview for a programme and year: `overview_data`, formatted."""
    data = overview_data(scope, programme, year, as_of)
    if data is None:
        return html.P(t("shell.nothing", lang), id="overview-empty")
    unit = data.rows.item(0, "unit") if data.rows.height else "ratio"
    centre, zoom = centre_and_zoom(scope.settings, scope.district)
    indicator_name = name(data.meta.indicator_names[data.indicator], lang)
    only = []
    if scope.district:
        only = [html.P(t("scope.district_only", lang, name=data.meta.units.get(scope.district, "")),
                       className="hint", id="overview-scope")]  # fmt: skip
    cards = [kpi_card(row, p, indicator, lang) for p, indicator, row in data.cards]
    programme = next(p for p in data.meta.programmes if p["code"] == data.programme)
    heading = t("print.heading", lang, place=data.meta.jurisdiction, programme=name(programme, lang),
                year=data.year, as_of=data.as_of.isoformat())  # fmt: skip
    return html.Div(
        [
            html.Div(heading, className="print-only", id="overview-print-heading"),
            *only,
            html.Div(cards, className="cards", id="overview-cards"),
            html.Div(
                [
                    html.Div(
                        [
                            html.H2(f"{t('overview.map', lang)} · {indicator_name}"),
                            dcc.Graph(
                                id="overview-map",
                                figure=charts.district_map(
                                    BOUNDARIES_URL,
                                    data.rows,
                                    centre,
                                    zoom,
                                    lang,
                                    data.meta.lagging_points,
                                ),
                                config={**charts.GRAPH_CONFIG, "scrollZoom": False},
                            ),
                            html.Div(t("overview.click_hint", lang), className="hint"),
                        ],
                        className="panel",
                    ),
                    html.Div(
                        [
                            html.H2(f"{t('overview.ranking', lang)} · {indicator_name}"),
                            dcc.Graph(
                                id="overview-ranking",
                                figure=charts.ranking(data.rows, lang),
                                config=charts.GRAPH_CONFIG,
                            ),
                        ],
                        className="panel",
                    ),
                ],
                className="panels",
            ),
            html.Div(
                [
                    html.Div(
                        [
                            html.H2(f"{t('overview.trend', lang)} · {indicator_name}"),
                            dcc.Graph(
                                id="overview-trend",
                                figure=charts.trend(data.series, lang, unit),
                                config=charts.GRAPH_CONFIG,
                            ),
                        ],
                        className="panel",
                    ),
                    html.Div(capability_panel(data.capability, lang), className="panel"),
                ],
                className="panels",
            ),
        ]
    )


def kpi_card(row: dict, programme: dict, indicator: dict, lang: str) -> html.Div:
    unit, status = row["unit"], row["status"]
    if row["target"] is None:
        target_line = t("card.no_target", lang)
    else:
        target_line = f"{t('card.target', lang)} {value_text(row['target'], unit)}"
        if row["target_carried"]:
            target_line += f"（{t('card.carried', lang, year=row['target_year'])}）"
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
            html.Div(name(indicator, lang), className="indicator"),
            html.Div(value_text(row["value"], unit), className="big"),
            html.Span(
                status_text(status, lang),
                className="status",
                style={"background": STATUS_COLOURS[status]},
            ),
            *lines,
            html.Div(
                f"{t('card.source', lang)}：{row['target_source'] or programme['source']}",
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
