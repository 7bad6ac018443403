"""督办 (supervision items): the items the user may see, newest first, with the figures when
each was opened and now, deadline and status."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboards.auth import current_scope
from dashboards.i18n import page_title, t
from dashboards.queries import district_bulletin
from dashboards.views.supervision import district_bulletin_choices, list_view

dash.register_page(__name__, path="/supervision", title=page_title("nav.supervision"))


def layout(**_kwargs) -> html.Div:
    scope = current_scope("supervision")
    return html.Div(
        [
            html.H2(t("supervision.title"), id="supervision-heading"),
            html.P(t("supervision.hint"), className="hint", id="supervision-hint"),
            dcc.Loading(html.Div(id="supervision-list")),
            html.Div(
                [
                    html.H3(t("district_bulletin.title"), id="district-bulletin-title"),
                    html.Div(
                        [
                            dcc.Dropdown(
                                id="district-bulletin-unit",
                                clearable=False,
                                style={"width": "220px"},
                            ),
                            dcc.Dropdown(
                                id="district-bulletin-period",
                                clearable=False,
                                style={"width": "200px"},
                            ),
                            html.Button(
                                t("district_bulletin.make"),
                                id="district-bulletin-make",
                                className="download",
                            ),
                        ],
                        className="controls-row",
                    ),
                    dcc.Loading(html.Div(id="district-bulletin-result")),
                    dcc.Download(id="district-bulletin-file"),
                ],
                className="panel",
                id="district-bulletin",
            )
            if scope.allows("bulletins.district")
            else None,
        ],
        id="supervision-page",
    )


@callback(
    Output("supervision-heading", "children"),
    Output("supervision-hint", "children"),
    Output("supervision-list", "children"),
    Input("shell-lang", "value"),
)
def _render(lang):
    lang = lang or "zh"
    scope = current_scope("supervision")
    return t("supervision.title", lang), t("supervision.hint", lang), list_view(scope, lang)


@callback(
    Output("district-bulletin-unit", "options"),
    Output("district-bulletin-unit", "value"),
    Output("district-bulletin-period", "options"),
    Output("district-bulletin-period", "value"),
    Input("shell-year", "value"),
    Input("shell-lang", "value"),
)
def _bulletin_choices(year, lang):
    scope = current_scope("bulletins.district")
    units, periods = district_bulletin_choices(scope, year, lang or "zh")
    return (
        units,
        units[0]["value"] if units else None,
        periods,
        periods[0]["value"] if periods else None,
    )


@callback(
    Output("district-bulletin-file", "data"),
    Output("district-bulletin-result", "children"),
    Input("district-bulletin-make", "n_clicks"),
    State("district-bulletin-unit", "value"),
    State("district-bulletin-period", "value"),
    State("shell-programme", "value"),
    prevent_initial_call=True,
)
def _make_bulletin(clicks, unit, period, programme):
    scope = current_scope("bulletins.district")
    if not clicks or not unit or not period or not programme:
        return no_update, no_update
    try:
        path = district_bulletin(scope, unit, programme, period)
    except (ValueError, FileNotFoundError) as exc:
        return no_update, html.P(str(exc), className="login-error")
    return dcc.send_bytes(path.read_bytes(), filename=path.name), None
