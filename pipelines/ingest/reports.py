"""Run reports: what each pipeline run did, kept as small files beside the database.

At its end every run (completed or failed) writes `DATA_DIR/runs/run-NNNNNN.json` (the run,
its files, rejected rows per reason, a few masked sample rows per file and the rows files took
back from newer files) and
`run-NNNNNN-rejects.parquet` (every rejected row with its reason, values masked). The app's
data page reads these files, never the working database, so it cannot hold a lock a run
needs. Values in them are the masked values of the quarantine: no raw identity.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.settings import Settings
from pipelines.warehouse.db import frame

SAMPLES_PER_FILE = 5
REJECT_COLUMNS = (
    "file",
    "sheet",
    "row",
    "column",
    "value",
    "reason_code",
    "message_zh",
    "message_en",
)


def _json_default(value):
    if isinstance(value, datetime | date):
        return (
            value.isoformat(sep=" ", timespec="seconds")
            if isinstance(value, datetime)
            else value.isoformat()
        )
    raise TypeError(type(value))


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_run_report(con: duckdb.DuckDBPyConnection, settings: Settings, run_id: int) -> Path:
    """Write the run's report and rejected rows from the working database's run records."""
    folder = settings.runs_dir
    folder.mkdir(parents=True, exist_ok=True)
    run = frame(con, "select * from runs where run_id = ?", [run_id]).to_dicts()
    files = frame(
        con,
        "select file, dataset, sheet, status, rows_read, rows_loaded, rows_rejected, rows_warned, "
        "message_zh, message_en, reapplied from run_files where run_id = ? order by file",
        [run_id],
    ).to_dicts()
    # Rows files took back from newer files (and rows re-applied files replaced): said loudly.
    replaced = frame(
        con,
        'select file, dataset, newer_file, newer_run, reason, "rows", message_zh, message_en '
        'from run_replaced where run_id = ? order by file, "rows" desc, newer_file',
        [run_id],
    ).to_dicts()
    rejects = frame(
        con,
        f"""
        select {", ".join(f'"{c}"' for c in REJECT_COLUMNS)}, severity
        from quarantine where run_id = ? and severity in ('rejected', 'refused')
        order by file, "row", "column"
        """,
        [run_id],
    )
    reasons = (
        rejects.group_by("file", "reason_code", "message_zh", "message_en")
        .agg(pl.len().alias("rows"))
        .sort("file", "rows", descending=[False, True])
        .to_dicts()
    )
    samples = (
        rejects.group_by("file", maintain_order=True)
        .head(SAMPLES_PER_FILE)
        .select(REJECT_COLUMNS)
        .to_dicts()
    )
    report = {"run": run[0] if run else {"run_id": run_id}, "files": files, "reasons": reasons,
              "samples": samples, "replaced": replaced}  # fmt: skip
    rejects_path = folder / f"run-{run_id:06d}-rejects.parquet"
    rejects.select(REJECT_COLUMNS).write_parquet(rejects_path.with_suffix(".tmp"))
    os.replace(rejects_path.with_suffix(".tmp"), rejects_path)
    path = folder / f"run-{run_id:06d}.json"
    _write_atomic(path, json.dumps(report, ensure_ascii=False, default=_json_default).encode())
    return path


def run_reports(settings: Settings, limit: int = 50) -> list[dict]:
    """The newest run reports first."""
    paths = sorted(settings.runs_dir.glob("run-[0-9]*[0-9].json"), reverse=True)[:limit]
    reports = []
    for path in paths:
        try:
            reports.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError):
            continue  # a report being replaced right now: the next look will have it
    return reports


def rejected_rows(settings: Settings, run: str = "latest") -> tuple[int, pl.DataFrame]:
    """(run id, the run's rejected rows and refused files) from its report, for the command
    line and the data page alike; 'latest' is the newest run that read at least one file."""
    if run == "latest":
        run_id = next(
            (
                r["run"]["run_id"]
                for r in run_reports(settings, limit=1_000_000)
                if any(f.get("status") in ("loaded", "refused") for f in r.get("files", []))
            ),
            None,
        )
        if run_id is None:
            raise FileNotFoundError("尚无读取过文件的运行 / no run has read a file yet")
    else:
        run_id = int(run)
        if run_report(settings, run_id) is None:
            raise FileNotFoundError(f"没有运行 {run_id} 的报告 / no report of run {run_id}")
    return run_id, run_rejects(settings, run_id)


def run_report(settings: Settings, run_id: int) -> dict | None:
    path = settings.runs_dir / f"run-{int(run_id):06d}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def run_rejects(settings: Settings, run_id: int) -> pl.DataFrame:
    """Every rejected row of the run with its reason (masked values)."""
    path = settings.runs_dir / f"run-{int(run_id):06d}-rejects.parquet"
    if not path.exists():
        return pl.DataFrame(schema=dict.fromkeys(REJECT_COLUMNS, pl.String))
    return pl.read_parquet(path)
