"""Quarantine: a file's rejected rows and warnings as lines with both messages, personal values
masked. (The rejected rows of a run, as districts need them, are read from its report:
`pipelines.ingest.reports.rejected_rows`.)"""

from __future__ import annotations

import polars as pl

from pipelines.ingest.normalise import Vocabulary
from pipelines.ingest.read import Source
from schemas.idnumbers import mask_id_expr, mask_name_expr
from schemas.messages import REASONS, message

QUARANTINE_SCHEMA = {
    "run_id": pl.Int64, "file": pl.String, "file_hash": pl.String, "dataset": pl.String,
    "sheet": pl.String, "row": pl.Int64, "column": pl.String, "field": pl.String,
    "value": pl.String, "reason_code": pl.String, "severity": pl.String,
    "message_zh": pl.String, "message_en": pl.String,
}  # fmt: skip


def mask_values(problems: pl.DataFrame) -> pl.DataFrame:
    """Personal values appear in the quarantine only masked."""
    value = pl.col("value")
    return problems.with_columns(
        pl.when(pl.col("column").is_in(["id_number", "certificate_no"]))
        .then(mask_id_expr(value))
        .when(pl.col("column") == "name")
        .then(mask_name_expr(value))
        .otherwise(value)
        .alias("value")
    )


def quarantine_lines(
    source: Source,
    file_hash: str,
    problems: list[pl.DataFrame],
    repeats: pl.DataFrame,
    run_id: int,
    jurisdiction_name: str,
    vocab: Vocabulary,
    report_sheets: bool,
) -> tuple[pl.DataFrame, int]:
    """Problems and warnings of one file as quarantine lines with both messages, and the
    number of rows rejected."""
    ds = source.dataset
    header_of = {canonical: header for header, canonical in source.columns.items()}
    if "district_code" not in header_of and "district" in header_of:
        header_of["district_code"] = header_of["district"]
    rejected = pl.concat(problems) if problems else pl.DataFrame()
    lines = []
    for row in rejected.iter_rows(named=True) if rejected.height else []:
        col = row["column"]
        shown = header_of.get(col) or (ds.column(col).label_zh if col in ds.column_names else col)
        zh, en = message(
            row["reason_code"],
            column=shown,
            label=shown,
            jurisdiction=jurisdiction_name,
            value=row["value"],
            candidates="、".join(vocab.resolver.candidates(row["value"]))
            if row["reason_code"] == "district_ambiguous"
            else "",
        )
        lines.append(
            (row["sheet"], row["row"], shown, col, row["value"],
             row["reason_code"], zh, en)
        )  # fmt: skip
    rows_rejected = (
        rejected.select(pl.struct("sheet", "row").n_unique()).item() if rejected.height else 0
    )
    for sheet, row, first_sheet, first_row in repeats.iter_rows():
        where = sheet != first_sheet and first_sheet is not None
        zh, en = message(
            "duplicate_exact",
            first_row=first_row,
            first_sheet=f"工作表“{first_sheet}”" if where else "",
            first_sheet_en=f" of sheet '{first_sheet}'" if where else "",
        )
        lines.append((sheet, row, None, None, None, "duplicate_exact", zh, en))
    for part in source.parts:
        for header in part.unknown_columns:
            zh, en = message("unknown_column", column=header)
            lines.append(
                (part.sheet, part.header_row, header, None, None, "unknown_column", zh, en)
            )
    for sheet, code in source.skipped_sheets if report_sheets else []:
        zh, en = message(code, sheet=sheet)
        lines.append((sheet, None, None, None, None, code, zh, en))
    frame = pl.DataFrame(
        lines,
        schema={
            "sheet": pl.String, "row": pl.Int64, "column": pl.String, "field": pl.String,
            "value": pl.String, "reason_code": pl.String, "message_zh": pl.String,
            "message_en": pl.String,
        },
        orient="row",
    )  # fmt: skip
    return frame.with_columns(
        pl.lit(run_id, dtype=pl.Int64).alias("run_id"),
        pl.lit(source.name).alias("file"),
        pl.lit(file_hash).alias("file_hash"),
        pl.lit(ds.name).alias("dataset"),
        pl.col("reason_code")
        .replace_strict({code: r.severity for code, r in REASONS.items()}, return_dtype=pl.String)
        .alias("severity"),
    ).select(list(QUARANTINE_SCHEMA)), rows_rejected
