"""Users and audit log (admin only): who may log in, and who did what when."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboards.auth import current_scope
from dashboards.components.files import send_once
from dashboards.components.grids import grid_options
from dashboards.i18n import page_title, t
from dashboards.views.admin import action_options, audit_export, audit_rows, users_table
from dashboards.views.denied import denied_view

dash.register_page(__name__, path="/admin", title=page_title("nav.admin"))

# Field, catalogue key of its header, width.
_COLUMNS = [("at", "admin.col.at", 170), ("user", "admin.col.user", 130), ("action_name", "admin.col.action", 170),
            ("target", "admin.col.target", 260), ("detail", "admin.col.detail", 320), ("ip", "admin.col.ip", 120)]  # fmt: skip


def layout(**_kwargs) -> html.Div:
    if not current_scope().allows("admin"):
        return denied_view()
    return html.Div(
        [
            html.H2(t("admin.title"), id="admin-title"),
            html.Div([html.H2(t("admin.users")), html.P(t("admin.users_hint"), className="hint"),
                      html.Div(id="admin-users-box")], className="panel"),
            html.Div(
                [
                    html.H2(t("admin.audit")),
                    html.Div(
                        [
                            dcc.Input(id="admin-user", type="text", placeholder=t("admin.user"), debounce=True, style={"width": "160px"}),
                            dcc.Dropdown(id="admin-action", value="", clearable=False, style={"width": "220px"}),
                            html.Div(dcc.DatePickerRange(id="admin-dates", display_format="YYYY-MM-DD", start_date_placeholder_text=t("admin.from"),
                                                           end_date_placeholder_text=t("admin.to"), month_format=t("date.month_format"),
                                                           first_day_of_week=1), style={"width": "300px"}),
                            dcc.Input(id="admin-text", type="text", placeholder=t("admin.text"), debounce=True, style={"width": "220px"}),
                            html.Button(t("admin.csv"), id="admin-csv", className="download"),
                            html.Button(t("admin.xlsx"), id="admin-xlsx", className="download"),
                            html.Span(id="admin-count", className="hint"),
                        ],
                        className="controls-row",
                    ),
                    dag.AgGrid(id="admin-audit", className="ag-theme-alpine",
                               columnDefs=[{"field": f, "headerName": t(h), "width": w, "filter": True, "sortable": True}
                                           for f, h, w in _COLUMNS],
                               rowData=[], style={"height": "460px"},
                               dashGridOptions=grid_options(enableCellTextSelection=True)),
                    dcc.Download(id="admin-file"),
                ],
                className="panel",
                style={"marginTop": "12px"},
            ),
        ],
        id="admin-page",
    )  # fmt: skip


@callback(
    Output("admin-users-box", "children"),
    Output("admin-action", "options"),
    Input("shell-lang", "value"),
)
def _users(lang):
    scope = current_scope("admin")
    return users_table(scope, lang or "zh"), action_options(lang or "zh")


@callback(
    Output("admin-audit", "rowData"),
    Output("admin-count", "children"),
    Input("admin-user", "value"),
    Input("admin-action", "value"),
    Input("admin-dates", "start_date"),
    Input("admin-dates", "end_date"),
    Input("admin-text", "value"),
    Input("shell-lang", "value"),
)
def _audit(user, action, since, until, text, lang):
    rows = audit_rows(current_scope("admin"), user, action, since, until, text, lang or "zh")
    return rows, t("admin.rows", lang or "zh", n=len(rows))


@callback(
    Output("admin-file", "data"),
    Input("admin-csv", "n_clicks"),
    Input("admin-xlsx", "n_clicks"),
    State("admin-user", "value"),
    State("admin-action", "value"),
    State("admin-dates", "start_date"),
    State("admin-dates", "end_date"),
    State("admin-text", "value"),
    prevent_initial_call=True,
)
def _export(_csv, _xlsx, user, action, since, until, text):
    fmt = (dash.ctx.triggered_id or "").removeprefix("admin-")
    if fmt not in ("csv", "xlsx"):
        return no_update
    path = audit_export(current_scope("admin"), fmt, user, action, since, until, text)
    return send_once(path)
