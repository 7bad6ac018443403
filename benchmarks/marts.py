"""Mart recomputation time on the province demo (all of Liaoning: 100 county-level units).

    .venv/bin/python benchmarks/marts.py [--repeat 3] [--keep DIR]

Writes the province demo (over a million case rows), loads it with the pipeline, then times
the indicator marts (indicator_values, indicator_monthly, indicator_breakdowns) recomputed
from the loaded tables, reporting the median of several runs and the table sizes.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from pipelines.demo import write_demo
from pipelines.indicators import compute
from pipelines.run import run_pipeline
from pipelines.settings import load_settings
from pipelines.warehouse.db import connect_warehouse


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep data here (reused when it exists)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        settings = load_settings(root / "data", jurisdiction="210000")
        if not settings.warehouse_path.exists():
            t0 = time.perf_counter()
            demo = write_demo(root / "inbox", scale="province", jurisdiction="210000")
            print(f"demo: {demo.case_rows:,} case rows, {demo.service_rows:,} service rows "
                  f"in {time.perf_counter() - t0:.0f}s")  # fmt: skip
            t0 = time.perf_counter()
            result = run_pipeline(settings, root / "inbox")
            print(f"pipeline run (load + marts + publish): {time.perf_counter() - t0:.0f}s, "
                  f"{result.total('rows_loaded'):,} rows loaded")  # fmt: skip
        con = connect_warehouse(settings)
        try:
            seconds = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                compute.refresh_marts(con, settings)
                seconds.append(time.perf_counter() - t0)
            sizes = {
                t: con.execute(f"select count(*) from {t}").fetchone()[0]
                for t in (
                    "cases",
                    "services",
                    "indicator_values",
                    "indicator_monthly",
                    "indicator_breakdowns",
                )
            }
        finally:
            con.close()
    print(f"marts: median {statistics.median(seconds):.1f}s over {args.repeat} runs "
          f"(min {min(seconds):.1f}s, max {max(seconds):.1f}s)")  # fmt: skip
    for table, n in sizes.items():
        print(f"  {table:22} {n:>12,} rows")


if __name__ == "__main__":
    main()
