"""The policy's task list (重点任务台账, §11): each programme's numbered tasks from its source
document (data/reference/tasks/<programme>.csv: number, heading, task, departments,
deadline as published, due date, ongoing, indicator), tracked per district. A district reports
a task's status with a short note, the office confirms it; the office edits the list (written
to the data directory's own copy, audited like targets).

A task is overdue in a district when its due date has passed and the district has not reported
it done; a task "持续推进" (ongoing) after a milestone is overdue only if not started by then.
"""

from __future__ import annotations

import csv
import io
import os
from datetime import date

from pipelines.indicators.reference import _read_csv
from pipelines.ops import accounts
from pipelines.ops.supervision import local_now, store
from pipelines.settings import Settings

COLUMNS = ("number", "heading", "task", "departments", "deadline", "due", "ongoing", "indicator")
STATUSES = ("not_started", "in_progress", "done")
MAX_NOTE = 500


class TaskError(ValueError):
    """A request that cannot be honoured; the message is Chinese / English."""


def task_file(programme: str) -> str:
    return f"tasks/{programme}.csv"


def task_rows(settings: Settings, programme: str) -> list[dict]:
    """The programme's tasks in use (the data directory's copy, else the shipped one), as
    text; none when the programme has no task list."""
    path = settings.reference_file(task_file(programme))
    if not path.exists():
        return []
    df = _read_csv(path, {"number", "task"})
    return [
        {c: ("" if r.get(c) is None else str(r.get(c))) for c in COLUMNS} for r in df.to_dicts()
    ]


def check_rows(rows: list[dict], indicators: set[str]) -> list[str]:
    """Problems of an edited list, with row numbers as in the file (header = row 1)."""
    problems, seen = [], set()
    for i, r in enumerate(rows, start=2):
        where = f"第{i}行 / row {i}"
        if not r["number"]:
            problems.append(f"{where}: 缺少序号 / the number is missing")
        elif r["number"] in seen:
            problems.append(f"{where}: 序号重复 {r['number']} / duplicate number {r['number']}")
        seen.add(r["number"])
        if not r["task"]:
            problems.append(f"{where}: 缺少任务内容 / the task text is missing")
        if r["due"]:
            try:
                date.fromisoformat(r["due"])
            except ValueError:
                problems.append(
                    f"{where}: 到期日应为 YYYY-MM-DD / due must be YYYY-MM-DD: {r['due']}"
                )
        if r["ongoing"] not in ("true", "false"):
            problems.append(f"{where}: 持续推进应为 true 或 false / ongoing must be true or false")
        elif r["ongoing"] == "true" and not r["due"]:
            problems.append(
                f"{where}: 持续推进的任务需要阶段性节点日期 / an ongoing task needs its milestone date"
            )
        for code in filter(None, r["indicator"].split(";")):
            if code not in indicators:
                problems.append(f"{where}: 未知指标 / unknown indicator {code}")
    return problems


def save_tasks(settings: Settings, programme: str, rows: list[dict], indicators: set[str],
               by: str, ip: str | None = None) -> tuple[list[str], int]:  # fmt: skip
    """Validate and write the programme's task list to the data directory; audit each task
    added, removed or changed. Returns (problems, number of changes); nothing is written when
    there are problems."""
    raw = [{c: ("" if r.get(c) is None else str(r.get(c)).strip()) for c in COLUMNS} for r in rows]
    raw = [r for r in raw if any(r.values())]
    for r in raw:
        r["ongoing"] = r["ongoing"].lower() or "false"
    problems = check_rows(raw, indicators)
    if problems:
        return problems, 0
    old = {r["number"]: r for r in task_rows(settings, programme)}
    new = {r["number"]: r for r in raw}
    changes = []
    for number in sorted(set(old) | set(new)):
        if number not in old:
            changes.append((number, f"+ {programme} {number}: {new[number]['task'][:80]}"))
        elif number not in new:
            changes.append((number, f"- {programme} {number}"))
        else:
            diff = [f"{c}: {old[number][c][:60]} → {new[number][c][:60]}" for c in COLUMNS
                    if old[number][c] != new[number][c]]  # fmt: skip
            if diff:
                changes.append((number, f"~ {programme} {number}: " + "; ".join(diff)))
    if not changes:
        return [], 0
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(raw)
    path = settings.reference_override_dir / task_file(programme)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".csv.tmp")
    tmp.write_text(out.getvalue(), encoding="utf-8")
    os.replace(tmp, path)
    for number, line in changes:
        accounts.audit(settings, by, "task_change", f"{programme} {number}", line, ip)
    return [], len(changes)


def is_overdue(task: dict, status: str, today: date) -> bool:
    """Past its due date and not done (an ongoing task: not even started by its milestone)."""
    if not task.get("due"):
        return False
    if date.fromisoformat(task["due"]) >= today:
        return False
    if task.get("ongoing") == "true":
        return status == "not_started"
    return status != "done"


def reports(settings: Settings, programme: str, district: str | None = None) -> dict:
    """(number, district) → the latest report (status, note, at, user) and whether the office
    confirmed it (a confirmation after that report)."""
    if not settings.app_db_path.exists():
        return {}
    sql = "select * from task_reports where programme = ?"
    params: list = [programme]
    if district is not None:
        sql += " and district = ?"
        params.append(district)
    with store(settings) as con:
        rows = [dict(r) for r in con.execute(sql + " order by id", params).fetchall()]
    found: dict = {}
    for r in rows:
        key = (r["number"], r["district"])
        if r["kind"] == "report":
            found[key] = {**r, "confirmed_by": None, "confirmed_at": None}
        elif key in found:
            found[key] |= {"confirmed_by": r["user"], "confirmed_at": r["at"]}
    return found


def report(settings: Settings, programme: str, number: str, district: str, status: str,
           note: str | None, by: str, ip: str | None = None) -> None:  # fmt: skip
    """A district's report of a task's status (a new row; earlier ones are kept). Audited."""
    if number not in {t["number"] for t in task_rows(settings, programme)}:
        raise TaskError(f"没有该任务 / no such task: {programme} {number}")
    if status not in STATUSES:
        raise TaskError(f"状态无效 / invalid status: {status}")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise TaskError(
            f"说明不能超过{MAX_NOTE}字 / the note must be at most {MAX_NOTE} characters"
        )
    with store(settings) as con:
        con.execute(
            "insert into task_reports (programme, number, district, kind, status, note, at, user) "
            "values (?, ?, ?, 'report', ?, ?, ?, ?)",
            [programme, number, district, status, note, local_now(settings), by],
        )
    accounts.audit(settings, by, "task_report", f"{programme} {number} {district}",
                   f"status={status}; note={note[:200]}", ip)  # fmt: skip


def confirm(settings: Settings, programme: str, number: str, district: str, by: str,
            ip: str | None = None) -> None:  # fmt: skip
    """The office confirms a district's latest report of a task. Audited."""
    latest = reports(settings, programme, district).get((number, district))
    if latest is None:
        raise TaskError("该县（市、区）尚未报送此任务 / the district has not reported this task")
    with store(settings) as con:
        con.execute(
            "insert into task_reports (programme, number, district, kind, at, user) "
            "values (?, ?, ?, 'confirm', ?, ?)",
            [programme, number, district, local_now(settings), by],
        )
    accounts.audit(settings, by, "task_confirm", f"{programme} {number} {district}",
                   f"status={latest['status']}", ip)  # fmt: skip


def progress(settings: Settings, programme: str, districts: list[str],
             today: date | None = None) -> list[dict]:  # fmt: skip
    """Each task with its status in each district: {task…, "districts": {code: {status,
    note, overdue, confirmed, at}}} — not_started where nothing was reported."""
    today = today or settings.current_date()
    found = reports(settings, programme)
    out = []
    for task in task_rows(settings, programme):
        per = {}
        for code in districts:
            r = found.get((task["number"], code))
            status = r["status"] if r else "not_started"
            per[code] = {"status": status, "note": r["note"] if r else "",
                         "at": r["at"] if r else None, "confirmed": bool(r and r["confirmed_by"]),
                         "overdue": is_overdue(task, status, today)}  # fmt: skip
        out.append({**task, "districts": per})
    return out
