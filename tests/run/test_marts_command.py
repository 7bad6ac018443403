"""`rehab-monitor marts` recomputes and publishes the marts without loading anything, and
`rehab-monitor warehouse export` writes the loaded tables as Parquet for Spark."""

from __future__ import annotations

import shutil

import duckdb
import polars as pl
import pytest

from pipelines.cli import main
from pipelines.settings import load_settings
from pipelines.warehouse import snapshots
from pipelines.warehouse.db import connect_warehouse, frame


@pytest.fixture
def loaded(tmp_path, demo_inbox):
    data = tmp_path / "data"
    shutil.copytree(demo_inbox, data / "inbox")
    assert main(["--data-dir", str(data), "pipeline", "run"]) == 0
    return load_settings(data, jurisdiction="211200")


def _values(path) -> pl.DataFrame:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return frame(con, "select * from indicator_values order by all")
    finally:
        con.close()


def test_marts_command_publishes_a_new_snapshot_with_the_same_marts(loaded, capsys):
    before = snapshots.published(loaded)
    assert main(["--data-dir", str(loaded.data_dir), "marts", "--engine", "duckdb"]) == 0
    after = snapshots.published(loaded)
    assert after["run_id"] == before["run_id"] + 1
    assert "计算指标 / computing marts (duckdb)" in capsys.readouterr().err
    first = _values(loaded.data_dir / before["snapshot"])
    again = _values(loaded.data_dir / after["snapshot"])
    assert first.height > 0 and again.equals(first)
    con = connect_warehouse(loaded)
    try:
        run = frame(
            con, "select trigger, status, files_seen from runs order by run_id desc limit 1"
        )
        assert run.row(0) == ("marts", "completed", 0)
        assert frame(con, "select engine from mart_meta").item() == "duckdb"
    finally:
        con.close()


def test_warehouse_export_writes_every_loaded_table_as_parquet(loaded, tmp_path):
    out = tmp_path / "parquet"
    assert main(["--data-dir", str(loaded.data_dir), "warehouse", "export", str(out)]) == 0
    con = connect_warehouse(loaded)
    try:
        for table in ("cases", "services", "institutions", "staff"):
            exported = pl.read_parquet(out / f"{table}.parquet")
            stored = frame(con, f"select * from {table}")
            assert exported.height == stored.height > 0, table
            assert exported.columns == stored.columns
    finally:
        con.close()
    assert not list(out.glob("*.partial"))


def test_an_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="engine"):
        load_settings(engine="presto")
    with pytest.raises(SystemExit):
        main(["marts", "--engine", "presto"])
