"""Writing tables for people: CSV that Excel opens, XLSX with codes as text, Parquet.

Cells that start with = + - @ (or a tab/CR) are neutralised with a leading apostrophe so a
spreadsheet program never runs them as formulas.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import xlsxwriter

FORMATS = ("csv", "xlsx", "parquet")
_FORMULA_START = r"^[=+\-@\t\r]"


def neutralise(df: pl.DataFrame) -> pl.DataFrame:
    """Prefix text cells that a spreadsheet would treat as a formula."""
    return df.with_columns(
        pl.when(pl.col(c).str.contains(_FORMULA_START))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c, dtype in df.schema.items()
        if dtype == pl.String
    )


def write_table(df: pl.DataFrame, fmt: str, out: Path, sheet: str = "data") -> Path:
    """Write `df` as csv (UTF-8 with BOM), xlsx (text stays text) or parquet."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        neutralise(df).write_csv(out, include_bom=True)
    elif fmt == "xlsx":
        _write_xlsx(neutralise(df), out, sheet)
    elif fmt == "parquet":
        df.write_parquet(out)
    else:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return out


def _write_xlsx(df: pl.DataFrame, out: Path, sheet: str) -> None:
    workbook = xlsxwriter.Workbook(
        str(out),
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False},
    )
    try:
        ws = workbook.add_worksheet(sheet)
        bold = workbook.add_format({"bold": True})
        text = workbook.add_format({"num_format": "@"})
        date_fmt = workbook.add_format({"num_format": "yyyy-mm-dd"})
        for j, name in enumerate(df.columns):
            ws.write_string(0, j, name, bold)
            ws.set_column(j, j, max(10, min(40, len(name) * 2)))
        kinds = [df.schema[c] for c in df.columns]
        for i, row in enumerate(df.iter_rows(), start=1):
            for j, value in enumerate(row):
                if value is None:
                    continue
                dtype = kinds[j]
                if dtype == pl.String:
                    ws.write_string(i, j, value, text)
                elif dtype.is_numeric():
                    ws.write_number(i, j, value)
                elif dtype == pl.Date:
                    ws.write_datetime(i, j, value, date_fmt)
                else:
                    ws.write_string(i, j, str(value), text)
        ws.freeze_panes(1, 0)
    finally:
        workbook.close()
