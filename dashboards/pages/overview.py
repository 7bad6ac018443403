"""Overview (leadership's one page): KPI cards, district map, ranking, trend, capability."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboards.auth import current_scope
from dashboards.cache import scoped_cache
from dashboards.i18n import page_title, t
from dashboards.queries import meta
from dashboards.state import parse_date
from dashboards.views.overview import district_from_click, overview_view

# Built once per scope, snapshot and choice: many users open the same page.
_overview_view = scoped_cache(overview_view)

dash.register_page(__name__, path="/", title=page_title("nav.overview"))


def layout(**_kwargs) -> html.Div:
    return html.Div(
        [
            html.Div(
                html.Button(t("print.button"), id="overview-print", className="link-button"),
                className="controls-row print-button",
            ),
            dcc.Store(id="overview-area"),  # a province's prefecture drilled into
            dcc.Loading(html.Div(id="overview-content")),
            html.Span(id="overview-print-done", style={"display": "none"}),
        ],
        id="overview-page",
    )


# Print (A4 landscape, see assets/style.css): the charts are drawn as pictures first, so the
# map prints too (assets/print.js).
dash.clientside_callback(
    "function (n) { if (n) { window.rehabPrint(); } return ''; }",
    Output("overview-print-done", "children"),
    Input("overview-print", "n_clicks"),
    prevent_initial_call=True,
)


@callback(
    Output("overview-content", "children"),
    Input("shell-programme", "value"),
    Input("shell-year", "value"),
    Input("shell-lang", "value"),
    Input("shell-as-of-select", "value"),
    Input("overview-area", "data"),
    Input("shell-snapshot", "data"),  # a newly published snapshot (targets saved, a run)
)
def _render(programme, year, lang, as_of, area, _snapshot=None):
    area = area if isinstance(area, str) else None
    return _overview_view(current_scope(), programme, year, lang or "zh", parse_date(as_of), area)


@callback(
    Output("url", "pathname", allow_duplicate=True),
    Output("overview-area", "data"),
    Input("overview-map", "clickData"),
    Input("overview-ranking", "clickData"),
    State("overview-area", "data"),
    prevent_initial_call=True,
)
def _open(map_click, ranking_click, area):
    """A click on a district opens its page; on a province's prefecture (the map's first
    level), drills into it."""
    scope = current_scope()
    code = district_from_click(dash.ctx.triggered_id, map_click, ranking_click)
    info = meta(scope)
    if not code or info is None:
        return no_update, no_update
    if not area and code in info.prefectures and not scope.district:
        return no_update, code
    return f"/district/{code}", no_update


@callback(
    Output("overview-area", "data", allow_duplicate=True),
    Input("overview-area-top", "n_clicks"),
    prevent_initial_call=True,
)
def _back_to_top(clicks):
    current_scope()
    return None if clicks else no_update
