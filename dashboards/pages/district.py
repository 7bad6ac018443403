"""District page: all indicators of the district, trend, townships and breakdowns."""

from __future__ import annotations

import dash
from dash import Input, Output, callback, dcc, html

from dashboards.state import current_settings, parse_date
from dashboards.views.district import district_view

dash.register_page(__name__, path_template="/district/<code>", title="区县详情 · 康复目标监测")


def layout(code: str | None = None, **_kwargs) -> html.Div:
    return html.Div(
        [dcc.Store(id="district-code", data=code), dcc.Loading(html.Div(id="district-content"))],
        id="district-page",
    )


@callback(
    Output("district-content", "children"),
    Input("district-code", "data"),
    Input("shell-programme", "value"),
    Input("shell-year", "value"),
    Input("shell-lang", "value"),
    Input("shell-as-of-select", "value"),
)
def _render(code, programme, year, lang, as_of):
    return district_view(current_settings(), code, programme, year, lang or "zh", parse_date(as_of))
