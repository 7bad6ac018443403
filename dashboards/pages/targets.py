"""Targets (admin): view and edit the yearly target rows; saving validates every row, audits
each change and republishes the marts with a pipeline run."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
from dash import Input, Output, State, callback, html, no_update

from dashboards.auth import current_scope
from dashboards.components.grids import grid_options
from dashboards.i18n import page_title, t
from dashboards.queries import save_targets, target_rows
from dashboards.views.denied import denied_view

dash.register_page(__name__, path="/targets", title=page_title("nav.targets"))

# Field, catalogue key of its header, width.
_COLUMNS = [("programme", "targets.col.programme", 140), ("indicator", "targets.col.indicator", 190),
            ("year", "targets.col.year", 90), ("scope", "targets.col.scope", 100), ("value", "targets.col.value", 110),
            ("kind", "targets.col.kind", 90), ("source", "targets.col.source", 360), ("note", "targets.col.note", 360)]  # fmt: skip


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
                columnDefs=[{"field": f, "headerName": t(h), "width": w, "editable": True,
                             "filter": True, "sortable": True} for f, h, w in _COLUMNS]
                + [{"field": "_selected", "hide": True}],
                className="ag-theme-alpine",
                style={"height": "560px"},
                dashGridOptions=grid_options(rowSelection={"mode": "multiRow"}, stopEditingWhenCellsLoseFocus=True),
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
