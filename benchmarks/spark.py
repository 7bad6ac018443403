"""DuckDB against Apache Spark (local mode) computing the same marts.

    .venv/bin/python benchmarks/spark.py [--scale city|province] [--keep DIR] [--doc docs/performance.md]

Writes the demo (city: 铁岭市; province: 辽宁省), loads it with the pipeline (DuckDB), then
times the marts (load summary and the indicator marts) on DuckDB and on a local Spark session
(`local[*]`), checks that every cell is equal, and summarises Spark's stages (from the Spark
UI's REST API on this machine). Needs the spark extra and Java 17.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

import polars as pl

from pipelines.demo import write_demo
from pipelines.indicators import marts
from pipelines.indicators.spark import SparkEngine, session
from pipelines.run import run_pipeline
from pipelines.settings import load_settings
from pipelines.warehouse.db import connect_warehouse, frame, scalar
from pipelines.warehouse.parquet import export_parquet

MARTS = ("load_summary", "indicator_values", "indicator_monthly", "indicator_breakdowns")
JURISDICTION = {"city": "211200", "province": "210000"}


def _tables(con) -> dict[str, pl.DataFrame]:
    return {t: frame(con, f"select * from {t}") for t in MARTS}


def _equal_cells(a: pl.DataFrame, b: pl.DataFrame) -> tuple[int, int]:
    """(equal cells, all cells) of two tables with the same rows in any order."""
    if a.columns != b.columns or a.height != b.height:
        return 0, a.width * a.height
    a, b = a.sort(a.columns, nulls_last=True), b.sort(b.columns, nulls_last=True)
    same = sum(int((a[c].eq_missing(b[c])).sum()) for c in a.columns)
    return same, a.width * a.height


def _stages(spark) -> list[dict]:
    sc = spark.sparkContext
    url = f"{sc.uiWebUrl}/api/v1/applications/{sc.applicationId}/stages?status=complete"
    with urllib.request.urlopen(url, timeout=30) as response:  # this machine's own Spark UI
        return json.load(response)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", choices=tuple(JURISDICTION), default="city")
    parser.add_argument("--keep", type=Path, help="keep data here (reused when it exists)")
    parser.add_argument("--doc", type=Path, help="write the figures into this Markdown file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        code = JURISDICTION[args.scale]
        settings = load_settings(root / "data", jurisdiction=code, spark_master="local[*]")
        if not settings.warehouse_path.exists():
            write_demo(root / "inbox", scale=args.scale, jurisdiction=code)
            run_pipeline(settings, root / "inbox")
        con = connect_warehouse(settings)
        try:
            rows = {t: scalar(con, f"select count(*) from {t}") for t in ("cases", "services")}
            t0 = time.perf_counter()
            marts.refresh(con, settings)
            duck_s = time.perf_counter() - t0
            duck = _tables(con)
            t0 = time.perf_counter()
            export_parquet(con, settings.parquet_dir)
            export_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            spark = session(settings, {"spark.ui.showConsoleProgress": "false"})
            spark.sparkContext.setLogLevel("ERROR")
            start_s = time.perf_counter() - t0
            engine = SparkEngine(con, spark, str(settings.parquet_dir.resolve()))
            t0 = time.perf_counter()
            marts.refresh(con, settings, engine)
            spark_s = time.perf_counter() - t0
            on_spark = _tables(con)
            stages = _stages(spark)
            engine.close()
            spark.stop()
        finally:
            con.close()
    same = [_equal_cells(duck[t], on_spark[t]) for t in MARTS]
    equal, cells = sum(s for s, _ in same), sum(n for _, n in same)
    run_ms = sum(s["executorRunTime"] for s in stages)
    top = sorted(stages, key=lambda s: s["executorRunTime"], reverse=True)[:5]
    body = f"""`benchmarks/spark.py --scale {args.scale}` (measured {date.today().isoformat()}):
{args.scale} demo ({code}), {rows["cases"]:,} case rows and {rows["services"]:,} service rows;
the marts (load summary, indicator values, monthly series, breakdowns) computed once on each
engine from the same loaded tables, 2 cores. Spark {spark.version} in local mode (`local[*]`,
default settings), reading the tables as Parquet.

| step | DuckDB (s) | Spark local (s) |
|---|---:|---:|
| export the loaded tables to Parquet | | {export_s:.1f} |
| start the Spark session | | {start_s:.1f} |
| marts | {duck_s:.1f} | {spark_s:.1f} |

Cells equal: **{equal:,} of {cells:,}** ({", ".join(f"{t} {s:,}/{n:,}" for t, (s, n) in zip(MARTS, same, strict=True))}).

Spark's stages (Spark UI): {len(stages):,} stages, {sum(s["numTasks"] for s in stages):,} tasks,
{run_ms / 1000:.1f} s of executor run time, {sum(s["shuffleWriteBytes"] for s in stages) / 1e6:.1f} MB
shuffled. The five longest:

| stage | tasks | executor run time (s) | shuffle read (MB) |
|---|---:|---:|---:|
""" + "\n".join(
        f"| {s['stageId']}: {s['name'][:60]} | {s['numTasks']} | {s['executorRunTime'] / 1000:.1f} "
        f"| {s['shuffleReadBytes'] / 1e6:.1f} |"
        for s in top
    )
    print(body)
    if args.doc:
        from _doc import write_section

        write_section(args.doc, f"## DuckDB against Spark, {args.scale} scale", body)


if __name__ == "__main__":
    main()
