"""pandera validation against the same checks as plain polars expressions.

    .venv/bin/python benchmarks/validation.py [--rows 1000000] [--repeat 3]

Reads and normalises the case files of the city demo the way a run does, repeats them to
`--rows` rows, then times (median of `--repeat`) the cases model's lazy validation
(`pipelines.ingest.validate.validate`: every check, failure cases gathered, bad rows dropped) against
the same check expressions evaluated by polars in one pass (each check's own lazy frame,
concatenated horizontally, then the rows failing any check dropped). Goal: pandera within 2×.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import polars as pl
from pandera.api.polars.types import PolarsData

from pipelines.demo import write_demo
from pipelines.indicators.reference import Reference
from pipelines.indicators.regions import district_resolver, jurisdiction
from pipelines.ingest.normalise import Vocabulary, normalise
from pipelines.ingest.read import open_sources
from pipelines.ingest.validate import MODELS, validate
from pipelines.settings import load_settings
from schemas.checks import Context, validation_context


def _frame(rows: int) -> tuple[pl.DataFrame, Context]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(Path(tmp) / "data", jurisdiction="211200")
        write_demo(Path(tmp) / "inbox", scale="city", seed=3, jurisdiction="211200")
        reference = Reference(settings)
        juris = jurisdiction("211200")
        resolver = district_resolver(juris.code, settings.reference_file("region_changes.csv"))
        vocab = Vocabulary(resolver, reference.programme_spellings)
        parts = []
        for path in sorted((Path(tmp) / "inbox").glob("02_*.csv")):
            for source in open_sources(path, reference, settings.work_dir):
                for batch in source.batches(200_000):
                    parts.append(normalise(batch, source.dataset, vocab))
                source.close()
    base = pl.concat(parts, how="diagonal_relaxed")
    copies = -(-rows // base.height)
    df = pl.concat(
        [base.with_columns((pl.col("case_id") + f"-{i}").alias("case_id")) for i in range(copies)]
    )
    df = df.head(rows).with_columns(pl.int_range(pl.len()).add(4).alias("_row"),
                                    pl.col("case_id").alias("_key"))  # fmt: skip
    ctx = Context(today=date(2025, 10, 8), district_codes=juris.codes, jurisdiction_name=juris.name,
                  programme_codes=frozenset(reference.programmes))  # fmt: skip
    return df, ctx


def _plain(df: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """The model's checks as plain polars: one lazy query, rows failing any check dropped."""
    schema = MODELS["cases"].to_schema()
    lf = df.lazy()
    frames = []
    with validation_context(ctx):
        for name, column in schema.columns.items():
            if not column.nullable:
                frames.append(lf.select(pl.col(name).is_not_null().alias(f"{name}:not_null")))
            for i, check in enumerate(column.checks):
                out = check._check_fn(PolarsData(lf, name))
                frames.append(out.select(pl.all().alias(f"{name}:{check.name}:{i}")))
        flags = pl.concat(frames, how="horizontal").collect()
    passing = flags.select(pl.all_horizontal(pl.all().fill_null(True))).to_series()
    return df.filter(passing)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    df, ctx = _frame(args.rows)
    checks = sum(
        len(c.checks) + (not c.nullable) for c in MODELS["cases"].to_schema().columns.values()
    )
    timings = {"pandera": [], "plain polars": []}
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        good, problems = validate(df, "cases", ctx)
        timings["pandera"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        plain_good = _plain(df, ctx)
        timings["plain polars"].append(time.perf_counter() - t0)
    assert good.height == plain_good.height, (good.height, plain_good.height)
    pandera, plain = (statistics.median(timings[k]) for k in ("pandera", "plain polars"))
    print(f"cases, {df.height:,} rows, {checks} checks, {df.height - good.height:,} rows rejected "
          f"({problems.height:,} problems), median of {args.repeat}:")  # fmt: skip
    print(
        f"| pandera lazy validation | {pandera:.2f} s | {df.height / pandera / 1e6:.2f}M rows/s |"
    )
    print(f"| plain polars, same checks | {plain:.2f} s | {df.height / plain / 1e6:.2f}M rows/s |")
    print(f"| pandera ÷ plain | {pandera / plain:.1f} | goal ≤ 2 |")


if __name__ == "__main__":
    main()
