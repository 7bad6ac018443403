"""Targets (admin): view and edit the yearly target rows; saving validates every row, audits
each change and republishes the marts with a pipeline run."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
from dash import Input, Output, State, callback, html, no_update

from dashboards.auth import current_scope
from dashboards.i18n import t
from dashboards.queries import save_targets, target_rows
from dashboards.views.denied import denied_view

dash.register_page(__name__, path="/targets", title="目标管理 · 康复目标监测")

_COLUMNS = [("programme", "项目 Programme", 140), ("indicator", "指标 Indicator", 190),
            ("year", "年度 Year", 90), ("scope", "范围 Scope", 100), ("value", "目标值 Value", 110),
            ("kind", "类型 Kind", 90), ("source", "依据文件 Source", 360), ("note", "说明 Note", 360)]  # fmt: skip


def layout(**_kwargs) -> html.Div:
    scope = current_scope()
    if not scope.allows("targets"):
        return denied_view()
    return html.Div(
        [
            html.H2(t("targets.title"), id="targets-title"),
            html.P(t("targets.hint"), className="hint"),
            html.Div(
                [
                    html.Button(t("targets.add"), id="targets-add", className="download"),
                    html.Button(t("targets.delete"), id="targets-delete", className="download"),
                    html.Button(t("targets.save"), id="targets-save", className="download"),
                ],
                className="controls-row",
            ),
            html.Div(id="targets-result"),
            dag.AgGrid(
                id="targets-grid",
                rowData=target_rows(scope),
                columnDefs=[{"field": f, "headerName": h, "width": w, "editable": True,
                             "filter": True, "sortable": True} for f, h, w in _COLUMNS]
                + [{"field": "_selected", "hide": True}],
                className="ag-theme-alpine",
                style={"height": "560px"},
                dashGridOptions={"rowSelection": {"mode": "multiRow"}, "stopEditingWhenCellsLoseFocus": True},
            ),
        ],
        id="targets-page",
    )  # fmt: skip


@callback(
    Output("targets-grid", "rowData"),
    Input("targets-add", "n_clicks"),
    Input("targets-delete", "n_clicks"),
    State("targets-grid", "rowData"),
    State("targets-grid", "selectedRows"),
    prevent_initial_call=True,
)
def _edit_rows(_add, _delete, rows, selected):
    current_scope("targets")
    rows = list(rows or [])
    if dash.ctx.triggered_id == "targets-add":
        return [*rows, {"programme": "", "indicator": "", "year": "", "scope": "*", "value": "",
                        "kind": "ratio", "source": "", "note": ""}]  # fmt: skip
    if dash.ctx.triggered_id == "targets-delete" and selected:
        return [r for r in rows if r not in selected]
    return no_update


@callback(
    Output("targets-result", "children"),
    Input("targets-save", "n_clicks"),
    State("targets-grid", "rowData"),
    State("shell-lang", "value"),
    prevent_initial_call=True,
)
def _save(_clicks, rows, lang):
    lang = lang or "zh"
    scope = current_scope("targets")
    before = target_rows(scope)
    problems = save_targets(scope, rows or [])
    if problems:
        return html.Div([html.P(t("targets.problems", lang), className="login-error"),
                         html.Ul([html.Li(p) for p in problems], id="targets-problems")])  # fmt: skip
    changed = target_rows(scope) != before
    return html.P(t("targets.saved" if changed else "targets.unchanged", lang), id="targets-saved")
