"""Load one big cases CSV and report rows per second and peak memory.

    .venv/bin/python benchmarks/load_csv.py --rows 1000000

Writes a synthetic CSV (valid rows, Chinese headers, ~1% bad rows) into a temporary folder,
runs `rehab-monitor pipeline run` on it in a child process, and prints the file size, wall
time, rows per second and the child's peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from pipelines.indicators.regions import jurisdiction
from schemas.checks import check_char


def write_cases_csv(path: Path, rows: int, seed: int = 1) -> None:
    """A cases file of `rows` valid rows (1% with a wrong check digit), vectorised."""
    units = jurisdiction("211200").units
    i = pl.int_range(0, rows, eager=True)
    df = pl.DataFrame({"n": i}).with_columns(
        pl.col("n").hash(seed).alias("h"),
    )
    df = df.with_columns(
        (pl.col("h") % len(units)).alias("u"),
        (pl.date(1940, 1, 1) + pl.duration(days=(pl.col("h") // 7 % 29_000))).alias("born"),
        (pl.col("h") // 11 % 1000).alias("seq"),
    )
    codes = [u.code for u in units]
    names = [u.name for u in units]
    df = df.with_columns(
        pl.col("u")
        .replace_strict(list(range(len(units))), codes, return_dtype=pl.String)
        .alias("code"),
        pl.col("u")
        .replace_strict(list(range(len(units))), names, return_dtype=pl.String)
        .alias("district"),
    ).with_columns(
        pl.concat_str(
            pl.col("code"),
            pl.col("born").dt.strftime("%Y%m%d"),
            pl.col("seq").cast(pl.String).str.zfill(3),
        ).alias("body")
    )
    check = check_char("body")
    bad = pl.col("n") % 100 == 99
    df = df.with_columns(
        pl.when(bad)
        .then(pl.concat_str("body", pl.lit("0")))
        .otherwise(pl.concat_str("body", check))
        .alias("身份证号")
    )
    out = df.select(
        pl.format("C{}", pl.col("n").cast(pl.String).str.zfill(8)).alias("个案编号"),
        pl.lit("精康融合").alias("项目名称"),
        "身份证号",
        pl.format("张{}明", pl.col("seq") % 10).alias("姓名"),
        pl.col("district").alias("所属区县"),
        pl.format("{}街道", pl.col("seq") % 12).alias("乡镇街道"),
        (pl.date(2023, 1, 1) + pl.duration(days=pl.col("h") % 1000))
        .dt.strftime("%Y/%-m/%-d")
        .alias("登记日期"),
        pl.when(pl.col("h") % 3 == 0)
        .then(pl.lit("否"))
        .otherwise(pl.lit("是"))
        .alias("是否有康复需求"),
        pl.lit("精神").alias("残疾类别"),
        (pl.col("h") % 4 + 1).cast(pl.String).alias("残疾等级"),
    )
    out.write_csv(path)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--keep", type=Path, help="keep the data here instead of a temporary folder"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        inbox = root / "inbox"
        inbox.mkdir(parents=True, exist_ok=True)
        csv = inbox / "个案_big.csv"
        t0 = time.perf_counter()
        write_cases_csv(csv, args.rows)
        print(
            f"wrote {args.rows:,} rows, {csv.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - t0:.1f}s"
        )
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pipelines.cli", "--data-dir", str(root / "data"), "pipeline", "run",
             "--inbox", str(inbox)],
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        seconds = time.perf_counter() - t0
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f"loaded in {seconds:.1f}s: {args.rows / seconds:,.0f} rows/s; "
            f"peak RSS {peak_mb:,.0f} MB; file {csv.stat().st_size / 1e6:,.0f} MB"
        )


if __name__ == "__main__":
    main()
