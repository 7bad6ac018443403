"""Data operations: run reports, uploads, Excel templates, the targets editor, the scheduler."""

from __future__ import annotations

import base64
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import fastexcel
import polars as pl
import pytest

from dashboards.auth import Scope
from dashboards.queries import run_history, run_report, save_targets, target_rows, upload
from dashboards.views.data import rejects_file, template_file
from pipelines.ingest import reports
from pipelines.ingest.templates import write_template
from pipelines.ops import accounts, jobs, schedule
from pipelines.outputs.export import export_frame
from pipelines.run import reference_hash, run_pipeline
from pipelines.settings import load_settings
from schemas.contract import DATASETS
from tests.conftest import BAD_INPUT, TODAY, put

ADMIN = "root"


def _admin(settings) -> Scope:
    return Scope(settings, ADMIN, "admin", None)


def _data_url(path) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(path.read_bytes()).decode()


def _wait_for_run(settings, after: int, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        history = reports.run_reports(settings, 1)
        if history and history[0]["run"]["run_id"] > after and not jobs.run_active(settings):
            return history[0]
        time.sleep(0.3)
    raise AssertionError("no run report appeared")


def test_every_run_leaves_a_report_with_reasons_and_masked_samples(settings, inbox):
    put(inbox, "_base_cases.csv", "cases_id_checksum.csv")
    result = run_pipeline(settings, inbox, today=TODAY)
    report = reports.run_report(settings, result.run_id)
    assert report["run"]["status"] == "completed"
    files = {f["file"]: f for f in report["files"]}
    bad = files["cases_id_checksum.csv"]
    assert (
        bad["rows_rejected"] >= 1 and bad["rows_loaded"] == bad["rows_read"] - bad["rows_rejected"]
    )
    reasons = {(r["file"], r["reason_code"]) for r in report["reasons"]}
    assert ("cases_id_checksum.csv", "id_checksum") in reasons
    sample = next(s for s in report["samples"] if s["file"] == "cases_id_checksum.csv")
    assert sample["row"] and "*" in sample["value"]  # masked, never the raw number
    rejects = reports.run_rejects(settings, result.run_id)
    assert rejects.height == sum(f["rows_rejected"] for f in report["files"])
    # A run with nothing new also reports (the history shows every run).
    again = run_pipeline(settings, inbox, today=TODAY)
    assert [r["run_id"] for r in run_history(_admin(settings))] == [again.run_id, result.run_id]
    assert {f["status"] for f in reports.run_report(settings, again.run_id)["files"]} == {"skipped"}


def test_upload_puts_files_in_the_inbox_runs_and_reports(settings, tmp_path):
    scope = _admin(settings)
    good = BAD_INPUT / "_base_cases.csv"
    bad = BAD_INPUT / "cases_date_invalid.csv"
    saved = upload(scope, [(good.name, _data_url(good)), ("../../etc/" + bad.name, _data_url(bad)),
                           ("notes.docx", _data_url(good))])  # fmt: skip
    assert [u.name for u in saved] == [good.name, bad.name, "notes.docx"]
    assert saved[2].error_zh and "不支持" in saved[2].error_zh and saved[0].error_zh is None
    assert (settings.inbox_dir / bad.name).exists() and not (
        settings.inbox_dir / "notes.docx"
    ).exists()
    report = _wait_for_run(settings, 0)
    assert report["run"]["trigger"] == "upload"
    assert {f["file"] for f in report["files"]} == {good.name, bad.name}
    assert any(r["reason_code"] == "date_invalid" for r in report["reasons"])
    # The rejected rows download, with row numbers and reasons in both languages.
    path = rejects_file(scope, report["run"]["run_id"], "xlsx")
    sheet = fastexcel.read_excel(str(path)).load_sheet(0).to_polars()
    assert {"row", "reason_code", "message_zh", "message_en"} <= set(sheet.columns)
    assert sheet.filter(pl.col("file") == bad.name).height >= 1
    uploads = accounts.search_audit(settings, user=ADMIN, action="upload")
    assert {u["target"] for u in uploads} == {good.name, bad.name}
    # Analysts and district users cannot upload.
    with pytest.raises(PermissionError):
        upload(Scope(settings, "a", "analyst", None), [(good.name, _data_url(good))])


def test_upload_size_limit(tmp_path):
    settings = load_settings(tmp_path / "data", jurisdiction="211200", upload_mb=1)
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (1024 * 1024 + 1))
    saved = upload(_admin(settings), [(big.name, _data_url(big))])
    assert saved[0].error_en == "the file exceeds the 1 MB limit"
    assert not (settings.inbox_dir / "big.csv").exists()


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_template_has_chinese_headers_hints_and_an_example_that_does_not_load(
    settings, tmp_path, dataset
):
    path = write_template(settings, dataset, tmp_path / f"{dataset}.xlsx")
    rows = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None).to_polars().rows()
    spec = DATASETS[dataset]
    assert list(rows[2]) == [c.label_zh for c in spec.columns]  # the header, row 3
    assert all(rows[1]) and rows[3][0] == "示例-0001"  # hints and the example
    assert any("必填" in h for h in rows[1])


def test_a_filled_template_loads_only_the_district_rows(settings, tmp_path):
    path = template_file(_admin(settings), "cases")
    # A district fills in one row below the example (with openpyxl-free means: rewrite via polars).
    rows = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None).to_polars()
    base = pl.read_csv(BAD_INPUT / "_base_cases.csv", skip_rows=2, infer_schema=False)
    inbox = tmp_path / "filled"
    inbox.mkdir()
    import xlsxwriter

    book = xlsxwriter.Workbook(str(inbox / "个案_银州区_模板.xlsx"))
    sheet = book.add_worksheet("个案登记")
    for r, values in enumerate(rows.rows()):
        sheet.write_row(r, 0, ["" if v is None else str(v) for v in values])
    first = base.row(0, named=True)
    filled = [first.get(label) or "" for label in rows.row(2)]
    sheet.write_row(4, 0, [str(v) for v in filled])
    book.close()
    result = run_pipeline(settings, inbox, today=TODAY)
    file = result.files[0]
    assert (file.rows_read, file.rows_loaded) == (1, 1), file


def test_targets_editor_validates_audits_and_republishes(settings, inbox):
    put(inbox, "_base_cases.csv")
    run_pipeline(settings, inbox, today=TODAY)
    scope = _admin(settings)
    rows = target_rows(scope)
    row = next(
        r
        for r in rows
        if (r["programme"], r["indicator"], r["year"])
        == ("mental_rehab", "service_coverage", "2024")
    )
    # Problems are reported with the row number as in the file, nothing is written.
    broken = [dict(r) for r in rows]
    broken[0]["value"] = "1.5"
    broken.append({"programme": "nope", "indicator": "x", "year": "2025", "scope": "*", "value": "1",
                   "kind": "ratio", "source": "", "note": ""})  # fmt: skip
    problems = save_targets(scope, broken)
    assert problems[0].startswith("第2行 / row 2") and "超出范围" in problems[0]
    assert any("未知项目" in p for p in problems)
    assert not (settings.reference_override_dir / "targets.csv").exists()
    # A valid change is written, audited, and the next run republishes the marts with it.
    before = reference_hash(settings)
    changed = [dict(r) for r in rows]
    changed[rows.index(row)]["value"] = "0.5"
    assert save_targets(scope, changed) == []
    assert reference_hash(settings) != before
    audit = accounts.search_audit(settings, user=ADMIN, action="target_change")
    assert audit and "value: 0.45 → 0.5" in audit[0]["detail"]
    _wait_for_run(settings, 1)
    exported = export_frame(settings, "service_coverage", "mental_rehab", 2024)
    assert exported.filter(district_code="city").item(0, "target") == pytest.approx(0.5)
    with pytest.raises(PermissionError):
        save_targets(Scope(settings, "o", "office", None), changed)


def morning_of(zone) -> datetime:
    return datetime(2025, 10, 8, 9, 0, tzinfo=zone)


def test_scheduler_job_options_and_missed_run(settings):
    shanghai = ZoneInfo("Asia/Shanghai")
    scheduler = schedule.build_scheduler(settings)
    job = scheduler.get_job("nightly-pipeline")
    assert job.coalesce and job.max_instances == 1 and job.misfire_grace_time >= 3600
    # The trigger fires at 02:00 Shanghai time every day, also across a month end.
    fire = job.trigger.get_next_fire_time(None, datetime(2025, 10, 31, 9, 0, tzinfo=shanghai))
    assert fire == datetime(2025, 11, 1, 2, 0, tzinfo=shanghai)
    after = job.trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    assert after == datetime(2025, 11, 2, 2, 0, tzinfo=shanghai)
    later = schedule.build_scheduler(load_settings(settings.data_dir, schedule_time="23:30"))
    fire = later.get_job("nightly-pipeline").trigger.get_next_fire_time(None, morning_of(shanghai))
    assert fire == datetime(2025, 10, 8, 23, 30, tzinfo=shanghai)
    # Never ran, started at 09:00: the 02:00 run was missed and runs now.
    morning = datetime(2025, 10, 8, 9, 0, tzinfo=shanghai)
    assert schedule.missed_run(settings, morning)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "scheduler.json").write_text(
        '{"last_started": "' + datetime(2025, 10, 8, 2, 0, 1, tzinfo=shanghai).isoformat() + '"}'
    )
    assert not schedule.missed_run(settings, morning)
    # Off for days: the run missed long ago (beyond the grace) is not caught up.
    assert not schedule.missed_run(settings, morning + timedelta(days=3, hours=-8))
    assert schedule.missed_run(settings, morning + timedelta(days=1))


def test_a_second_scheduler_refuses_to_start(tmp_path):
    data = tmp_path / "data"
    command = [
        sys.executable,
        "-m",
        "pipelines.cli",
        "--data-dir",
        str(data),
        "pipeline",
        "schedule",
    ]
    env_time = {"REHAB_MONITOR_SCHEDULE_TIME": "03:17"}
    import os

    first = subprocess.Popen(
        command, env={**os.environ, **env_time}, stderr=subprocess.PIPE, text=True
    )
    try:
        line = first.stderr.readline()
        assert "调度已启动" in line and "03:17" in line
        second = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert second.returncode == 3 and "已在运行" in second.stderr
    finally:
        first.terminate()
        first.wait(timeout=30)


def test_run_history_reads_no_working_database(settings, inbox):
    put(inbox, "_base_cases.csv")
    run_pipeline(settings, inbox, today=TODAY)
    settings.warehouse_path.rename(settings.warehouse_path.with_suffix(".moved"))
    try:
        assert run_report(_admin(settings), 1)["run"]["status"] == "completed"
    finally:
        settings.warehouse_path.with_suffix(".moved").rename(settings.warehouse_path)
    shutil.rmtree(settings.runs_dir)
    assert run_history(_admin(settings)) == []
