"""The pipeline stage by stage against DuckDB's own floor, at province or national scale.

    .venv/bin/python benchmarks/pipeline.py [--scale province|national] [--repeat 3] [--keep DIR]

Writes the demo for Liaoning (province: 100 county-level units, over 1M case rows) or the whole
country (national: 2,875 units, over 10M case rows) as UTF-8 CSV, then `--repeat` times loads it
into a fresh data directory with `rehab-monitor pipeline run` in a child process, recording per
stage the seconds (read, normalise, validate, protect, load: summed over the files from the run
records; marts with notifications; publish) and the child's peak resident memory. Then, in the
same run, the floor:

* ingest floor: DuckDB's own `read_csv` of the same files into tables (types auto-detected, no
  checks, no hashing, no upsert);
* marts floor: the same indicator SQL (`pipelines/indicators/sql/indicators/`) on the already-typed loaded
  tables, copied into a fresh in-memory DuckDB (no reference loading, notifications or writes);
* a no-change run: the pipeline again over the same inbox (every file skipped by its hash).

Prints a table of medians and our time ÷ floor, and with `--doc docs/performance.md` writes it
into that file's section for the scale.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb
from _doc import write_section  # benchmarks/_doc.py, beside this script

STEPS = ("read", "normalise", "validate", "protect", "load")
# city: a quick run of the same measurements (the tests use it); the goals are for the others.
JURISDICTION = {"city": "211200", "province": "210000", "national": "100000"}


def _child_run(data: Path, inbox: Path) -> None:
    """In the child: one pipeline run; prints stage seconds as JSON on the last line."""
    from pipelines.run import run_pipeline
    from pipelines.settings import load_settings

    settings = load_settings(data)
    marks: dict[str, float] = {}
    t0 = time.perf_counter()

    def progress(message: str) -> None:
        if message.startswith("计算指标"):
            marks["marts"] = time.perf_counter()
        elif message.startswith("发布快照"):
            marks["publish"] = time.perf_counter()

    result = run_pipeline(settings, inbox, progress=progress)
    end = time.perf_counter()
    stages = {s: sum(f.seconds[s] for f in result.files) for s in STEPS}
    ingest_end = marks.get("marts", end)
    stages["other ingest"] = (ingest_end - t0) - sum(stages.values())
    stages["marts + notifications"] = (
        marks.get("publish", end) - marks["marts"] if "marts" in marks else 0.0
    )
    stages["publish"] = end - marks["publish"] if "publish" in marks else 0.0
    stages["total"] = end - t0
    print(json.dumps({"stages": stages, "rows": result.total("rows_read")}))


def _run_child(data: Path, inbox: Path, env: dict) -> tuple[dict, float]:
    """(stage seconds, peak RSS in MB) of one pipeline run in a child process."""
    proc = subprocess.Popen([sys.executable, __file__, "--child-run", str(data), str(inbox)],
                            env=env, stdout=subprocess.PIPE, text=True)  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read()
    proc.stdout.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"pipeline run failed:\n{out}")
    return json.loads(out.strip().splitlines()[-1]), usage.ru_maxrss / 1024


def _ingest_floor(inbox: Path) -> float:
    """DuckDB's read_csv of every CSV file. The province and national demos are plain UTF-8
    CSV; a smaller demo's GB18030 files and title rows are beyond plain read_csv: those files
    are left out of the floor (and said so)."""
    con = duckdb.connect()
    skipped = 0
    t0 = time.perf_counter()
    for i, path in enumerate(sorted(inbox.glob("*.csv"))):
        try:
            con.execute(f"create table t{i} as select * from read_csv('{path}')")
        except duckdb.Error:
            skipped += 1
    seconds = time.perf_counter() - t0
    con.close()
    if skipped:
        print(
            f"floor: {skipped} files DuckDB's read_csv cannot read plainly were left out",
            flush=True,
        )
    return seconds


def _marts_floor(warehouse: Path) -> float:
    """The indicator SQL on typed tables: the loaded tables and reference tables copied into
    memory first (untimed), then the same periods and SQL as a run (timed)."""
    from pipelines.indicators import compute
    from pipelines.indicators.engines import DuckDBEngine

    con = duckdb.connect()
    con.execute(f"attach '{warehouse}' as w (read_only)")
    tables = [r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = 'w'").fetchall()]  # fmt: skip
    for table in tables:
        if table in ("cases", "services", "institutions", "staff") or table.startswith("ref_"):
            con.execute(f"create table {table} as select * from w.{table}")
    con.execute("detach w")
    as_of = compute.data_as_of(con)
    sql = compute.values_sql()
    threshold = {"lagging_points": 5.0}
    t0 = time.perf_counter()
    compute._prepare(
        DuckDBEngine(con), compute.periods_for(range(as_of.year - 2, as_of.year + 1), as_of)
    )
    con.execute(f"create table v as {sql}", threshold)
    con.execute(f"create table b as {compute.breakdowns_sql()}")
    compute._prepare(DuckDBEngine(con), compute.month_ends(as_of.year - 2, as_of))
    con.execute(
        f"create table m as select * from ({sql}) where unit_level <> 'township'", threshold
    )
    seconds = time.perf_counter() - t0
    con.close()
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", choices=tuple(JURISDICTION), default="province")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the demo inbox here (reused when present)")
    parser.add_argument("--doc", type=Path, help="write the table into this Markdown file")
    parser.add_argument("--child-run", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_run:
        _child_run(*args.child_run)
        return 0

    from pipelines.demo import write_demo

    code = JURISDICTION[args.scale]
    env = {**os.environ, "REHAB_MONITOR_JURISDICTION": code}
    with tempfile.TemporaryDirectory(prefix="rehab-bench-") as tmp:
        root = args.keep or Path(tmp)
        inbox = root / "inbox"
        if not inbox.exists():
            t0 = time.perf_counter()
            demo = write_demo(inbox, scale=args.scale, jurisdiction=code)
            print(f"demo: {demo.case_rows:,} case rows, {demo.service_rows:,} service rows, "
                  f"{time.perf_counter() - t0:.0f} s to write", flush=True)  # fmt: skip
        runs, peaks = [], []
        for i in range(args.repeat):
            data = root / f"data-{i}"  # with --keep the last one stays for benchmarks/callbacks.py
            shutil.rmtree(data, ignore_errors=True)
            stages, peak = _run_child(data, inbox, env)
            runs.append(stages)
            peaks.append(peak)
            print(
                f"run {i + 1}: {stages['stages']['total']:.1f} s, peak {peak:,.0f} MB", flush=True
            )
        again, _ = _run_child(data, inbox, env)
        ingest_floor = [_ingest_floor(inbox) for _ in range(args.repeat)]
        marts_floor = [_marts_floor(data / "warehouse.duckdb") for _ in range(args.repeat)]
    rows = runs[0]["rows"]
    med = {k: statistics.median(r["stages"][k] for r in runs) for k in runs[0]["stages"]}
    ingest = sum(med[s] for s in (*STEPS, "other ingest"))
    floor_ingest, floor_marts = statistics.median(ingest_floor), statistics.median(marts_floor)
    lines = [
        "| stage | ours (s) | floor (s) | ours ÷ floor |",
        "|---|---:|---:|---:|",
        *[f"| {s} | {med[s]:.1f} | | |" for s in STEPS],
        f"| other ingest (hashing, staging, upsert, run records) | {med['other ingest']:.1f} | | |",
        f"| **ingest** (read → load) | **{ingest:.1f}** | {floor_ingest:.1f} (`read_csv`) | {ingest / floor_ingest:.1f} |",
        f"| marts + notifications | {med['marts + notifications']:.1f} | {floor_marts:.1f} (same SQL, typed tables) | {med['marts + notifications'] / floor_marts:.1f} |",
        f"| publish (copy, fsync, switch) | {med['publish']:.1f} | | |",
        f"| **whole run** | **{med['total']:.1f}** | {floor_ingest + floor_marts:.1f} | **{med['total'] / (floor_ingest + floor_marts):.1f}** |",
        f"| no-change run (all files skipped) | {again['stages']['total']:.1f} | | |",
    ]  # fmt: skip
    summary = (f"{args.scale} demo ({code}), {rows:,} rows read per run, median of {args.repeat} runs, "
               f"peak resident memory of a run {max(peaks):,.0f} MB, {os.cpu_count()} cores")  # fmt: skip
    table = "\n".join(lines)
    print(summary)
    print(table)
    if args.doc:
        _write_section(args.doc, args.scale, summary, table)
    return 0


def _write_section(out: Path, scale: str, summary: str, table: str) -> None:
    write_section(out, f"## Pipeline, {scale} scale", f"`benchmarks/pipeline.py --scale {scale}` "
                  f"(measured {date.today().isoformat()}): {summary}.\n\n{table}")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
