"""The scorecard (计分卡): programmes × districts in one table — each cell an indicator's value,
its status, the district's rank among the districts and the change since the previous month
end — and its Excel file with the status colours, as the HISP scorecard gives ministries.

The cells come from the marts (the same rows as the overview, exports and bulletins); this
module only ranks, compares with the previous month end and writes the workbook."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import xlsxwriter

from pipelines.outputs.formatting import (
    STATUS_COLOURS,
    STATUS_TEXT_COLOURS,
    competition_rank,
    gap_text,
    status_name,
    value_text,
)


def previous_month_end(as_of: date) -> date | None:
    """The last month end before `as_of`'s month within its year (None in January): for
    2025-09-30 and for 2025-09-17 alike, 2025-08-31."""
    end = date(as_of.year, as_of.month, 1) - timedelta(days=1)
    return end if end.year == as_of.year else None


def cells(now: pl.DataFrame, before: pl.DataFrame) -> pl.DataFrame:
    """One row per unit and indicator with its rank among the districts (equal values share a
    rank; units without a value have none) and the change since `before`."""
    key = ["programme", "indicator", "unit_code"]
    ranked = now.with_columns(
        pl.when((pl.col("unit_level") == "district") & pl.col("value").is_not_null())
        .then(competition_rank(pl.col("value")).over("programme", "indicator", "unit_level"))
        .alias("rank")
    )
    earlier = before.select(*key, pl.col("value").alias("value_before"))
    return ranked.join(earlier, on=key, how="left").with_columns(
        (pl.col("value") - pl.col("value_before")).alias("change")
    )


def change_text(change: float | None, unit: str) -> str:
    """▲ / ▼ with the change in points (shares) or persons (counts), or — when unchanged or
    unknown."""
    if change is None or abs(change) < 1e-9:
        return "—" if change is None else "持平"
    arrow = "▲" if change > 0 else "▼"
    points = change * 100 if unit == "ratio" else change
    return arrow + gap_text(abs(points), unit).lstrip("+")


def write_xlsx(
    path: Path,
    title: str,
    columns: list[dict],
    units: list[dict],
    table: pl.DataFrame,
    lang: str = "zh",
) -> Path:
    """The scorecard as a workbook: per indicator the value on its status colour, the rank and
    the change; the city last. `columns`: programme, indicator, label; `units`: code, name."""
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    try:
        ws = workbook.add_worksheet("计分卡" if lang == "zh" else "Scorecard")
        bold = workbook.add_format(
            {"bold": True, "text_wrap": True, "valign": "vcenter", "border": 1}
        )
        plain = workbook.add_format({"border": 1, "align": "center"})
        fills = {
            s: workbook.add_format({"bg_color": c, "border": 1, "align": "center",
                                    "font_color": STATUS_TEXT_COLOURS[s]})
            for s, c in STATUS_COLOURS.items()
        }  # fmt: skip
        ws.write(0, 0, title, workbook.add_format({"bold": True, "font_size": 14}))
        head = ["县（市、区）" if lang == "zh" else "District"]
        ws.write(2, 0, head[0], bold)
        ws.set_column(0, 0, 16)
        sub = ("完成值", "名次", "较上月") if lang == "zh" else ("Value", "Rank", "Change")
        for j, column in enumerate(columns):
            first = 1 + 3 * j
            ws.merge_range(1, first, 1, first + 2, column["label"], bold)
            for k, text in enumerate(sub):
                ws.write(2, first + k, text, bold)
            ws.set_column(first, first + 2, 11)
        by_key = {
            (r["unit_code"], r["programme"], r["indicator"]): r for r in table.iter_rows(named=True)
        }
        for i, unit in enumerate(units, start=3):
            ws.write(i, 0, unit["name"], bold)
            for j, column in enumerate(columns):
                first = 1 + 3 * j
                cell = by_key.get((unit["code"], column["programme"], column["indicator"]))
                if cell is None:
                    for k in range(3):
                        ws.write_blank(i, first + k, None, plain)
                    continue
                ws.write(i, first, value_text(cell["value"], cell["unit"]), fills[cell["status"]])
                ws.write(i, first + 1, "" if cell["rank"] is None else cell["rank"], plain)
                ws.write(i, first + 2, change_text(cell["change"], cell["unit"]), plain)
        legend = 4 + len(units)
        for k, status in enumerate(STATUS_COLOURS):
            ws.write(legend, 1 + k, status_name(status, lang), fills[status])
        ws.freeze_panes(3, 1)
    finally:
        workbook.close()
    return path
