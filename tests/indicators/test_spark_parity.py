"""The same marts on Apache Spark: the small demo loaded and published with DuckDB, then
`rehab-monitor marts --engine spark` recomputes the marts on a local Spark session and publishes
them; every cell of every mart the app reads is equal.

Needs the spark extra and Java 17 (`make install` and `.ci/run` provide both)."""

from __future__ import annotations

import os

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipelines.settings import load_settings
from pipelines.warehouse import snapshots
from pipelines.warehouse.db import connect_warehouse, frame
from tests.conftest import TODAY

if not os.environ.get("CI"):  # CI must run it: there a missing pyspark fails the import
    pytest.importorskip("pyspark")

pytestmark = pytest.mark.slow

MARTS = ("indicator_values", "indicator_monthly", "indicator_breakdowns", "load_summary")


@pytest.fixture(scope="module")
def spark():
    """One small local session for the module: two cores, few shuffle partitions, no UI."""
    from pipelines.indicators.spark import session

    spark = session(
        load_settings(spark_master="local[2]"),
        {
            "spark.sql.shuffle.partitions": "4",
            "spark.default.parallelism": "2",
            "spark.ui.enabled": "false",
            "spark.driver.memory": "1g",
        },
    )
    yield spark
    spark.stop()


def _marts(path) -> dict[str, pl.DataFrame]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {t: frame(con, f"select * from {t}") for t in MARTS}
        out["engine"] = frame(con, "select engine from mart_meta")
    finally:
        con.close()
    return out


@pytest.fixture(scope="module")
def published(tmp_path_factory, spark):
    """The demo's marts as published by DuckDB, then as published by Spark."""
    from pipelines.demo import write_demo
    from pipelines.run import run_pipeline

    root = tmp_path_factory.mktemp("spark")
    write_demo(root / "inbox", scale="small", seed=7, jurisdiction="211200", today=TODAY)
    settings = load_settings(root / "data", jurisdiction="211200")
    first = run_pipeline(settings, root / "inbox", today=TODAY)
    duck = _marts(first.published)
    second = run_pipeline(settings, trigger="marts", engine="spark", recompute=True)
    return settings, first, second, duck, _marts(second.published)


def test_spark_publishes_every_cell_of_the_marts_equal_to_duckdb(published):
    settings, first, second, duck, on_spark = published
    assert duck["engine"]["engine"].to_list() == ["duckdb"]
    assert on_spark["engine"]["engine"].to_list() == ["spark"]
    # a new snapshot, the one the app reads
    assert second.run_id > first.run_id
    assert snapshots.published_path(settings) == second.published
    for table in MARTS:
        expected, got = duck[table], on_spark[table]
        assert expected.height > 0, table
        # same columns, same types, same rows: values, statuses, targets, series, breakdowns
        assert_frame_equal(
            got.sort(got.columns, nulls_last=True),
            expected.sort(expected.columns, nulls_last=True),
            check_exact=True,
        )
    statuses = set(on_spark["indicator_values"]["status"])
    assert {"met", "behind", "no_target"} <= statuses  # the comparison covers every branch


def test_the_spark_run_is_recorded_and_leaves_the_loaded_rows(published):
    settings, _first, second, _duck, _spark = published
    con = connect_warehouse(settings)
    try:
        runs = frame(con, "select run_id, status, trigger, files_seen from runs order by run_id")
        assert runs.rows()[-1] == (second.run_id, "completed", "marts", 0)
        assert frame(con, "select count(*) as n from cases")["n"][0] > 5000
    finally:
        con.close()


def test_spark_refuses_parquet_files_that_are_not_the_loaded_tables(published, tmp_path):
    from pipelines.indicators.spark import SparkEngine, StaleParquet, session
    from pipelines.warehouse.parquet import export_parquet

    settings = published[0]
    con = connect_warehouse(settings)
    try:
        export_parquet(con, tmp_path)
        con.execute("delete from staff where year = (select max(year) from staff)")
        engine = SparkEngine(con, session(settings), str(tmp_path))
        with pytest.raises(StaleParquet, match=r"staff\.parquet"):
            engine.use_tables(["staff"])
        engine.close()
    finally:
        con.close()
