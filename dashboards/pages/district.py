"""District page: all indicators of the district, trend, townships and breakdowns."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboards.auth import current_scope
from dashboards.cache import scoped_cache
from dashboards.i18n import page_title
from dashboards.state import parse_date
from dashboards.views.district import district_view
from dashboards.views.persons import persons_table

# Built once per scope, snapshot and choice: many users open the same page.
_district_view = scoped_cache(district_view)

dash.register_page(
    __name__, path_template="/district/<code>", title=page_title("district.title_tab")
)


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
    Input("shell-snapshot", "data"),  # a newly published snapshot (targets saved, a run)
)
def _render(code, programme, year, lang, as_of, _snapshot=None):
    return _district_view(current_scope(), code, programme, year, lang or "zh", parse_date(as_of))


@callback(
    Output("persons-result", "children"),
    Input("persons-show", "n_clicks"),
    State("persons-rule", "value"),
    State("persons-reason", "value"),
    State("shell-programme", "value"),
    State("shell-lang", "value"),
    prevent_initial_call=True,
)
def _persons(clicks, rule, reason, programme, lang):
    if not clicks:
        return no_update
    return persons_table(current_scope("persons"), rule, programme, reason, lang or "zh")
