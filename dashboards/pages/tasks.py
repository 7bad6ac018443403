"""重点任务 (the policy's task list): the header programme's numbered tasks with their
departments and deadlines and their status per district; a district reports, the office
confirms and edits the list (each change audited)."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
from dash import ALL, Input, Output, State, callback, dcc, html, no_update

from dashboards.auth import current_scope
from dashboards.components.grids import grid_options
from dashboards.i18n import page_title, t
from dashboards.queries import confirm_task, report_task, save_task_list, task_list, unit_names
from dashboards.views.tasks import tasks_view
from pipelines.ops.tasks import COLUMNS, TaskError

dash.register_page(__name__, path="/tasks", title=page_title("nav.tasks"))


def layout(**_kwargs) -> html.Div:
    scope = current_scope("tasks")
    names = unit_names(scope)
    children = [
        html.H2(t("tasks.title"), id="tasks-title"),
        html.P(t("tasks.hint"), className="hint", id="tasks-hint"),
        dcc.Dropdown(id="tasks-district", options=[{"label": n, "value": c} for c, n in sorted(names.items())],
                     value=scope.district or min(names, default=None), clearable=False,
                     style={"width": "200px", "display": "none" if scope.district else "block"}),
        dcc.Store(id="tasks-changed"),
        html.Div(id="tasks-result"),
        dcc.Loading(html.Div(id="tasks-content")),
    ]  # fmt: skip
    if scope.allows("tasks.manage"):
        children.append(html.Details([
            html.Summary(t("tasks.edit"), id="tasks-edit-summary"),
            html.Button(t("tasks.add"), id="tasks-add", className="download"),
            html.Button(t("targets.save"), id="tasks-save", className="download"),
            html.Div(id="tasks-save-result"),
            dag.AgGrid(id="tasks-grid", rowData=[], className="ag-theme-alpine", style={"height": "420px"},
                       columnDefs=[{"field": c, "headerName": t(f"tasks.file.{c}"), "editable": True,
                                    "width": 360 if c in ("task", "heading") else 130} for c in COLUMNS],
                       dashGridOptions=grid_options(stopEditingWhenCellsLoseFocus=True)),
        ], id="tasks-edit"))  # fmt: skip
    return html.Div(children, id="tasks-page")


@callback(
    Output("tasks-content", "children"),
    Output("tasks-title", "children"),
    Output("tasks-hint", "children"),
    Input("shell-programme", "value"),
    Input("tasks-district", "value"),
    Input("tasks-changed", "data"),
    Input("shell-lang", "value"),
)
def _render(programme, district, _changed, lang):
    lang = lang or "zh"
    view = tasks_view(current_scope("tasks"), programme, district, lang)
    return view, t("tasks.title", lang), t("tasks.hint", lang)


@callback(
    Output("tasks-result", "children"),
    Output("tasks-changed", "data"),
    Input({"type": "tasks-report", "index": ALL}, "n_clicks"),
    Input({"type": "tasks-confirm", "index": ALL}, "n_clicks"),
    State({"type": "tasks-status", "index": ALL}, "value"),
    State({"type": "tasks-note", "index": ALL}, "value"),
    State({"type": "tasks-status", "index": ALL}, "id"),
    State("shell-programme", "value"),
    State("tasks-district", "value"),
    prevent_initial_call=True,
)
def _act(reports, confirms, statuses, notes, ids, programme, district):
    scope = current_scope("tasks")
    clicked = dash.ctx.triggered_id
    if not isinstance(clicked, dict) or not any((reports or []) + (confirms or [])):
        return no_update, no_update
    try:
        if clicked["type"] == "tasks-report":
            k = [i["index"] for i in ids].index(clicked["index"])
            report_task(scope, programme, clicked["index"], statuses[k], notes[k])
        else:
            confirm_task(scope, programme, clicked["index"], district)
    except TaskError as exc:
        return html.P(str(exc), className="login-error"), no_update
    return None, f"{clicked['type']}-{clicked['index']}-{sum(filter(None, reports + confirms))}"


@callback(
    Output("tasks-grid", "rowData"),
    Input("shell-programme", "value"),
    Input("tasks-add", "n_clicks"),
    State("tasks-grid", "rowData"),
)
def _grid(programme, add, rows):
    scope = current_scope("tasks.manage")
    if dash.ctx.triggered_id == "tasks-add":
        return [*(rows or []), {c: "" for c in COLUMNS} | {"ongoing": "false"}]
    return task_list(scope, programme) if programme else []


@callback(
    Output("tasks-save-result", "children"),
    Output("tasks-changed", "data", allow_duplicate=True),
    Input("tasks-save", "n_clicks"),
    State("tasks-grid", "rowData"),
    State("shell-programme", "value"),
    State("shell-lang", "value"),
    prevent_initial_call=True,
)
def _save(clicks, rows, programme, lang):
    scope = current_scope("tasks.manage")
    problems, changed = save_task_list(scope, programme, rows or [])
    if problems:
        return html.Ul([html.Li(p) for p in problems], className="login-error"), no_update
    return html.P(t("tasks.saved", lang or "zh", n=changed), id="tasks-saved"), f"saved-{clicks}"
