"""Re-runs are idempotent, identical re-sends are skipped, corrected files replace rows."""

from __future__ import annotations

import shutil

import duckdb

from pipelines.run import run_pipeline
from pipelines.warehouse import snapshots
from tests.conftest import BAD_INPUT, TODAY

TABLES = ("cases", "services", "institutions", "staff")


def snapshot_tables(settings) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return {t: con.execute(f"select * from {t} order by all").fetchall() for t in TABLES}
    finally:
        con.close()


def test_two_runs_on_the_same_inbox_leave_identical_tables(settings, demo_inbox):
    first = run_pipeline(settings, demo_inbox, today=TODAY)
    tables = snapshot_tables(settings)
    second = run_pipeline(settings, demo_inbox, today=TODAY)

    assert snapshot_tables(settings) == tables
    assert sum(len(rows) for rows in tables.values()) > 5_000
    assert {f.status for f in first.files} == {"loaded"}
    assert {f.status for f in second.files} == {"skipped"}
    assert second.published is None  # nothing changed: the published snapshot stays


def test_identical_resend_under_another_name_is_skipped(settings, inbox):
    shutil.copy(BAD_INPUT / "_base_cases.csv", inbox / "a_个案.csv")
    run_pipeline(settings, inbox, today=TODAY)
    shutil.copy(BAD_INPUT / "_base_cases.csv", inbox / "b_个案_重发.csv")
    result = run_pipeline(settings, inbox, today=TODAY)
    assert {f.file: f.status for f in result.files} == {
        "a_个案.csv": "skipped",
        "b_个案_重发.csv": "skipped",
    }


def test_corrected_file_replaces_the_rows_it_carries(settings, inbox):
    shutil.copy(BAD_INPUT / "cases_category_invalid.csv", inbox / "01_个案.csv")
    run_pipeline(settings, inbox, today=TODAY)
    before = snapshot_tables(settings)["cases"]
    assert len(before) == 3

    # The district fixes row 7 and changes a township on YZ-0002, then re-sends.
    text = (inbox / "01_个案.csv").read_text(encoding="utf-8")
    text = text.replace(",其他,", ",精神,")
    text = text.replace(
        "YZ-0002,精康融合,211202198001031029,,张五明,银州区,铜钟街道",
        "YZ-0002,精康融合,211202198001031029,,张五明,银州区,凡河镇",
    )
    (inbox / "01_个案.csv").unlink()
    (inbox / "02_个案_更正.csv").write_text(text, encoding="utf-8")
    result = run_pipeline(settings, inbox, today=TODAY)

    assert result.files[0].rows_rejected == 0
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        rows = con.execute("select case_id, township from cases order by case_id").fetchall()
    finally:
        con.close()
    assert rows == [
        ("YZ-0001", "铜钟街道"),
        ("YZ-0002", "凡河镇"),
        ("YZ-0003", "铜钟街道"),
        ("YZ-0004", "铜钟街道"),
    ]
    # The published snapshot carries the correction too.
    con = snapshots.connect_published(settings)
    try:
        assert con.execute("select count(*) from cases").fetchone()[0] == 4
    finally:
        con.close()


def test_later_file_in_one_run_wins(settings, inbox):
    """Files of one run apply in file-name order: the later one replaces a key."""
    src = (BAD_INPUT / "_base_cases.csv").read_text(encoding="utf-8")
    (inbox / "01_个案.csv").write_text(src, encoding="utf-8")
    (inbox / "02_个案.csv").write_text(src.replace("铜钟街道", "龙山乡"), encoding="utf-8")
    run_pipeline(settings, inbox, today=TODAY)
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        towns = con.execute("select distinct township, source_file from cases").fetchall()
    finally:
        con.close()
    assert towns == [("龙山乡", "02_个案.csv")]


def test_a_full_disk_is_said_plainly_and_the_run_recorded_as_failed(
    settings, inbox, monkeypatch, capsys
):
    import errno

    from pipelines.cli import main
    from pipelines.indicators import marts
    from tests.conftest import put

    put(inbox, "_base_cases.csv")

    def full(*_args, **_kwargs):
        # What DuckDB says after a write failed for want of space, the cause chained.
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as cause:
            raise duckdb.TransactionException(
                "cannot rollback - no transaction is active"
            ) from cause

    monkeypatch.setattr(marts, "refresh", full)
    code = main(["--data-dir", str(settings.data_dir), "pipeline", "run", "--inbox", str(inbox)])
    said = capsys.readouterr().err
    assert code == 1
    assert (
        "磁盘空间不足" in said
        and "no space left on device" in said
        and "cannot rollback" not in said
    )
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        status, error = con.execute(
            "select status, error from runs order by run_id desc limit 1"
        ).fetchall()[0]
    finally:
        con.close()
    assert status == "failed" and "no space left on device" in error


def test_everything_a_run_writes_is_the_owners_alone(tmp_path, demo_inbox):
    import os
    import stat
    import subprocess
    import sys

    data = tmp_path / "data"
    inbox = tmp_path / "inbox"
    shutil.copytree(demo_inbox, inbox)
    env = {**os.environ, "REHAB_MONITOR_JURISDICTION": "211200"}
    cli = [sys.executable, "-m", "pipelines.cli", "--data-dir", str(data)]
    subprocess.run(
        [*cli, "pipeline", "run", "--inbox", str(inbox)], check=True, env=env, capture_output=True
    )
    subprocess.run([*cli, "user", "add", "boss", "--role", "admin", "--password-stdin"], check=True,
                   env=env, input=b"a long password here\n", capture_output=True)  # fmt: skip
    subprocess.run([*cli, "bulletin", "--programme", "mental_rehab", "--period", "2025-Q3",
                    "--out", str(data / "bulletins" / "copy.docx")], check=True, env=env, capture_output=True)  # fmt: skip
    found = list(data.rglob("*"))
    kinds = {p.relative_to(data).parts[0] for p in found}
    assert {"warehouse.duckdb", "snapshots", "runs", "app.sqlite", "bulletins"} <= kinds
    loose = [f"{p.relative_to(data)} {stat.filemode(p.stat().st_mode)}" for p in [data, *found]
             if p.stat().st_mode & 0o077]  # fmt: skip
    assert loose == []


def test_processed_uploads_leave_the_inbox_and_other_files_stay(settings, demo_inbox):
    import base64
    import dataclasses

    from pipelines.ingest.uploads import save_upload

    settings.inbox_dir.mkdir(parents=True, exist_ok=True)
    files = sorted(demo_inbox.glob("02_*.csv"))[:2]
    dropped = settings.inbox_dir / files[0].name
    shutil.copy(files[0], dropped)  # put there by hand (or by a shared folder)
    data_url = "data:;base64," + base64.b64encode(files[1].read_bytes()).decode()
    uploaded = save_upload(settings, files[1].name, data_url, "office1")
    assert (settings.inbox_dir / uploaded.name).exists()
    run_pipeline(settings, today=TODAY)
    assert not (settings.inbox_dir / uploaded.name).exists()  # processed upload: deleted
    assert dropped.exists()
    # With the administrator's choice the next one is kept, owner-only, out of the inbox.
    keeping = dataclasses.replace(settings, keep_uploads=1)
    again = save_upload(keeping, "补报.csv", data_url, "office1")
    run_pipeline(keeping, today=TODAY)
    kept = list((settings.data_dir / "uploads").glob(f"*-{again.name}"))
    assert len(kept) == 1 and not (settings.inbox_dir / again.name).exists()
    assert (settings.inbox_dir / ".uploads").read_text(encoding="utf-8") == ""
