"""The policy's task list: each task with its deadline, how many districts have done it and
who is late; a district reports its own status, the office confirms."""

from __future__ import annotations

from dash import dcc, html

from dashboards.auth import Scope
from dashboards.i18n import name, t
from dashboards.queries import meta, task_progress
from pipelines.ops.tasks import STATUSES


def _status(state: dict, lang: str) -> html.Span:
    text = t(f"tasks.status.{state['status']}", lang)
    if state["overdue"]:
        return html.Span(f"{text} · {t('tasks.overdue', lang)}", className="task-overdue")
    return html.Span(text)


def tasks_view(scope: Scope, programme: str | None, district: str | None, lang: str) -> html.Div:
    """The task table of `programme`, with the status in `district` (a district user: theirs)."""
    rows, units = task_progress(scope, programme)
    if not rows:
        return html.P(t("tasks.none", lang), id="tasks-empty")
    district = scope.district or (district if district in units else sorted(units)[0])
    info = meta(scope)
    indicators = {c: name(r, lang) for c, r in info.indicator_names.items()} if info else {}
    header = ["tasks.col.number", "tasks.col.task", "tasks.col.departments", "tasks.col.deadline",
              "tasks.col.indicator", "tasks.col.done", "tasks.col.status", "tasks.col.note", ""]  # fmt: skip
    body = []
    for task in rows:
        states = task["districts"]
        state = states[district]
        done = sum(s["status"] == "done" for s in states.values())
        late = [units[c] for c, s in states.items() if s["overdue"]]
        summary = [f"{done}/{len(states)}"]
        if late and scope.district is None:
            summary += [html.Br(), html.Span(t("tasks.late", lang, n=len(late)), className="task-overdue",
                                             title="、".join(late))]  # fmt: skip
        if scope.allows("tasks.report"):
            action = [
                dcc.Dropdown(id={"type": "tasks-status", "index": task["number"]}, value=state["status"],
                             options=[{"label": t(f"tasks.status.{s}", lang), "value": s} for s in STATUSES],
                             clearable=False, style={"width": "120px"}),
                dcc.Input(id={"type": "tasks-note", "index": task["number"]}, value=state["note"],
                          maxLength=500, style={"width": "160px"}),
                html.Button(t("tasks.report", lang), id={"type": "tasks-report", "index": task["number"]},
                            className="file-button"),
            ]  # fmt: skip
        elif scope.allows("tasks.manage") and state["at"] and not state["confirmed"]:
            action = [html.Button(t("tasks.confirm", lang), id={"type": "tasks-confirm", "index": task["number"]},
                                  className="file-button")]  # fmt: skip
        else:
            action = [t("tasks.confirmed", lang) if state["confirmed"] else ""]
        measured = "；".join(indicators.get(c, c) for c in task["indicator"].split(";") if c)
        deadline = task["deadline"] or task["due"] or "—"
        body.append(html.Tr(
            [html.Td(task["number"], className="data-text"), html.Td(task["task"], className="data-text"),
             html.Td(task["departments"] or "—", className="data-text"), html.Td(deadline, className="data-text"),
             html.Td(measured or "—"), html.Td(summary), html.Td(_status(state, lang)),
             html.Td(state["note"], className="data-text"), html.Td(action)],
            id=f"tasks-row-{task['number']}",
        ))  # fmt: skip
    return html.Div(
        [
            html.P(t("tasks.showing", lang, district=units[district]), className="hint", id="tasks-showing"),
            html.Table([html.Thead(html.Tr([html.Th(t(h, lang) if h else "") for h in header])), html.Tbody(body)],
                       className="plain-table", id="tasks-table"),
        ]
    )  # fmt: skip
