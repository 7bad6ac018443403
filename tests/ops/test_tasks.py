"""The policy's task lists as shipped, and tracking a task per district (the app store)."""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.indicators.reference import Reference
from pipelines.ops import accounts, tasks
from pipelines.ops.tasks import TaskError
from pipelines.settings import load_settings


def test_the_mental_rehab_plan_ships_all_29_tasks_with_departments_and_deadlines(tmp_path):
    rows = tasks.task_rows(load_settings(tmp_path), "mental_rehab")
    assert [r["number"] for r in rows] == [str(n) for n in range(1, 30)]
    assert all(r["departments"] and r["deadline"] and date.fromisoformat(r["due"]) for r in rows)
    by = {r["number"]: r for r in rows}
    assert (by["1"]["deadline"], by["1"]["due"], by["1"]["departments"]) == (
        "2023年11月", "2023-11-30", "市、县级民政、卫健、残联")  # fmt: skip
    assert (by["13"]["deadline"], by["13"]["due"]) == ("2024年12月底前", "2024-12-31")
    assert by["6"]["ongoing"] == "true" and by["6"]["due"] == "2025-12-31"
    assert by["29"]["departments"] == "市、县级残联、民政、卫健"
    assert by["11"]["task"].startswith(
        "因机构服务条件所限,不能及时为患者提供服务,需要患者等候时间超过3个月"
    )
    assert by["20"]["indicator"] == "staff_professional_share"
    assert sum(r["ongoing"] == "true" for r in rows) == 19


@pytest.mark.parametrize(
    "programme", ["mental_rehab", "precise_rehab", "child_rehab", "poverty_rehab", "disabled_care"]
)
def test_every_shipped_task_list_is_valid_and_names_known_indicators(tmp_path, programme):
    rows = tasks.task_rows(load_settings(tmp_path), programme)
    known = set(Reference(load_settings(tmp_path)).indicators)
    assert rows and tasks.check_rows(rows, known) == []


def test_a_task_is_overdue_past_its_deadline_until_done():
    task = {"due": "2023-11-30", "ongoing": "false"}
    assert tasks.is_overdue(task, "in_progress", date(2023, 12, 1))
    assert not tasks.is_overdue(task, "done", date(2023, 12, 1))
    assert not tasks.is_overdue(task, "not_started", date(2023, 11, 30))
    ongoing = {"due": "2025-12-31", "ongoing": "true"}
    assert tasks.is_overdue(ongoing, "not_started", date(2026, 1, 1))
    assert not tasks.is_overdue(ongoing, "in_progress", date(2026, 1, 1))


def test_reports_confirmations_and_edits_are_kept_and_audited(tmp_path):
    settings = load_settings(tmp_path, today="2025-10-08")
    tasks.report(settings, "mental_rehab", "2", "211202", "in_progress", "摸排中", "yinzhou")
    tasks.report(settings, "mental_rehab", "2", "211202", "done", "已填报统计表", "yinzhou")
    with pytest.raises(TaskError):
        tasks.report(settings, "mental_rehab", "99", "211202", "done", None, "yinzhou")
    tasks.confirm(settings, "mental_rehab", "2", "211202", "office1")
    state = tasks.progress(settings, "mental_rehab", ["211202", "211223"])[1]["districts"]
    assert state["211202"] == {"status": "done", "note": "已填报统计表", "at": state["211202"]["at"],
                               "confirmed": True, "overdue": False}  # fmt: skip
    assert state["211223"]["status"] == "not_started" and state["211223"]["overdue"]

    known = set(Reference(settings).indicators)
    rows = tasks.task_rows(settings, "mental_rehab")
    rows[0]["deadline"] = "2024年3月"
    rows[0]["due"] = "2024-03-31"
    problems, changed = tasks.save_tasks(settings, "mental_rehab", rows, known, "office1")
    assert problems == [] and changed == 1
    assert tasks.task_rows(settings, "mental_rehab")[0]["due"] == "2024-03-31"
    assert (settings.reference_override_dir / "tasks" / "mental_rehab.csv").exists()
    rows[1]["due"] = "2024-13-01"
    problems, changed = tasks.save_tasks(settings, "mental_rehab", rows, known, "office1")
    assert changed == 0 and "row 3" in problems[0]
    actions = [a["action"] for a in accounts.search_audit(settings)]
    assert actions.count("task_report") == 2 and "task_confirm" in actions
    assert actions.count("task_change") == 1
