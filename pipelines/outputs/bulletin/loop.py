"""What a bulletin reports of the supervision loop (§11): the 督办 items opened, answered,
closed and overdue in its window, by district, and the policy's tasks due in it (or overdue)
with their state per district — read from the app store, named from the pinned snapshot."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pipelines.ops import supervision, tasks
from pipelines.outputs.formatting import value_text
from pipelines.settings import Settings

# How a bulletin words an item's status and a task's status.
ITEM_STATUS = {"open": "待整改", "returned": "已退回重新整改", "overdue": "逾期未整改",
               "answered": "已报送整改情况", "closed": "已销号"}  # fmt: skip
TASK_STATUS = {"not_started": "未启动", "in_progress": "推进中", "done": "已完成"}


@dataclass(frozen=True)
class Loop:
    """The supervision items and tasks a bulletin reports."""

    start: date
    end: date
    districts: dict[str, str]  # code → name, of the bulletin's scope
    counts: dict[str, dict[str, int]]  # district code → opened, answered, closed, overdue
    items: list[dict]  # the items touched in the window (or overdue), with their status
    tasks: list[dict] = field(default_factory=list)  # programme name, task, per district


def collect(
    settings: Settings,
    programmes: dict[str, str],
    indicators: dict[str, str],
    districts: dict[str, str],
    start: date,
    end: date,
) -> Loop:
    """The loop of `programmes` (code → name) in [start, end] for `districts` (code → name)."""
    today = settings.current_date()
    rows = [
        r
        for r in supervision.items(settings)
        if r["programme"] in programmes and r["district"] in districts
    ]
    found = supervision.in_period(rows, start, end, today)
    counts = {code: {k: sum(r["district"] == code for r in found[k]) for k in found}
              for code in districts}  # fmt: skip
    touched = {r["id"] for k in found for r in found[k]}
    items = [
        {**r, "district_name": districts[r["district"]],
         "programme_name": programmes[r["programme"]],
         "indicator_name": indicators.get(r["indicator"], r["indicator"])}
        for r in reversed(rows) if r["id"] in touched
    ]  # fmt: skip
    task_lines = []
    for code, name in programmes.items():
        for task in tasks.progress(settings, code, list(districts), today):
            due = date.fromisoformat(task["due"]) if task["due"] else None
            late = [districts[d] for d, s in task["districts"].items() if s["overdue"]]
            if due is None or not (start <= due <= end or late):
                continue
            states = [s["status"] for s in task["districts"].values()]
            task_lines.append({**task, "programme_name": name, "late": late,
                               "done": states.count("done"), "total": len(states),
                               "states": {districts[d]: s for d, s in task["districts"].items()}})  # fmt: skip
    return Loop(start, end, districts, counts, items, task_lines)


def item_line(item: dict) -> str:
    """One item as a bulletin lists it."""
    unit = item["unit"]
    then = value_text(item["value"], unit) if item["value"] is not None else "—"
    return (
        f"{item['title']}（{item['district_name']}，{item['programme_name']}{item['indicator_name']}，"
        f"开具时{then}，办结时限{item['deadline']}）：{ITEM_STATUS[item['status']]}"
    )


def task_line(task: dict, single_district: bool) -> str:
    """One task as a bulletin lists it: its number, text, deadline and state."""
    head = f"（{task['number']}）{task['task']}（{task['departments'] or '—'}；完成时限：{task['deadline'] or task['due']}）"
    if single_district:
        state = next(iter(task["states"].values()))
        overdue = "，已逾期" if state["overdue"] else ""
        note = f"（{state['note']}）" if state["note"] else ""
        return f"{head}：{TASK_STATUS[state['status']]}{overdue}{note}"
    late = f"；逾期：{'、'.join(task['late'])}" if task["late"] else ""
    return f"{head}：{task['done']}/{task['total']}个县（市、区）已完成{late}"
