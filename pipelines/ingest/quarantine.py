"""Rejected rows of a run, as districts need them to fix and re-send their files."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines.settings import Settings
from pipelines.warehouse import snapshots
from pipelines.warehouse.db import frame, scalar

COLUMNS = ("file", "sheet", "row", "column", "value", "reason_code", "message_zh", "message_en")


def _connect(settings: Settings) -> duckdb.DuckDBPyConnection:
    """The working database if no run holds it, else the published snapshot."""
    if settings.warehouse_path.exists():
        try:
            return duckdb.connect(str(settings.warehouse_path), read_only=True)
        except duckdb.IOException:
            pass  # a run is writing: its predecessor's published state is what we can read
    return snapshots.connect_published(settings)


def resolve_run(con: duckdb.DuckDBPyConnection, run: str) -> int | None:
    """'latest' is the newest run that read at least one file (loaded or refused)."""
    if run == "latest":
        return scalar(
            con, "select max(run_id) from run_files where status in ('loaded', 'refused')"
        )
    return int(run)


def rejected_rows(settings: Settings, run: str = "latest") -> tuple[int | None, pl.DataFrame]:
    """(run id, the run's rejected rows and refused files in file and row order)."""
    con = _connect(settings)
    try:
        run_id = resolve_run(con, run)
        df = frame(
            con,
            """
            select file, sheet, "row", "column", value, reason_code, message_zh, message_en
            from quarantine
            where run_id = ? and severity in ('rejected', 'refused')
            order by file, "row" nulls first, "column"
            """,
            [run_id],
        )
    finally:
        con.close()
    return run_id, df
