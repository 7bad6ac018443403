"""Validate: run the dataset's pandera model lazily and split good rows from problems."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from schemas.cases import CasesModel
from schemas.checks import Context, validation_context
from schemas.institutions import InstitutionsModel
from schemas.services import ServicesModel
from schemas.staff import StaffModel

MODELS: dict[str, type[pa.DataFrameModel]] = {
    "cases": CasesModel,
    "services": ServicesModel,
    "institutions": InstitutionsModel,
    "staff": StaffModel,
}
# pandera's own check names for the Field constraints we use.
_BUILTIN_REASONS = {"not_nullable": "missing_required"}

PROBLEM_SCHEMA = {
    "row": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "reason_code": pl.String,
}


def validate(df: pl.DataFrame, dataset: str, ctx: Context) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows that pass every rule, one problem per failed rule: row, column, value, reason)."""
    model = MODELS[dataset]
    try:
        with validation_context(ctx):
            model.validate(df, lazy=True)
    except pa.errors.SchemaErrors as errors:
        failures = errors.failure_cases
    else:
        return df, pl.DataFrame(schema=PROBLEM_SCHEMA)
    unexpected = failures.filter(pl.col("index").is_null())
    if unexpected.height:
        # A schema-level failure (a missing column, a wrong type) is a bug in the pipeline,
        # never a property of the districts' data: fail loudly.
        raise RuntimeError(f"schema failure for {dataset}: {unexpected.to_dicts()[:3]}")
    rows = df.get_column("_row")
    problems = failures.select(
        rows.gather(failures.get_column("index")).alias("row"),
        pl.col("column"),
        pl.col("failure_case").alias("value"),
        pl.col("check").replace(_BUILTIN_REASONS).alias("reason_code"),
    ).sort("row", "column")
    bad = problems.get_column("row").unique()
    return df.filter(~pl.col("_row").is_in(bad.implode())), problems
