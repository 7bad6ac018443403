"""Aggregated exports of an indicator (§10), from the published snapshot only.

The numbers come from the marts when the requested period is published, and otherwise from
the same indicator SQL run on the snapshot, so an export always equals what the app shows.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from pipelines.indicators import compute
from pipelines.outputs import disclosure
from pipelines.settings import Settings
from pipelines.warehouse import snapshots
from pipelines.warehouse.db import frame, scalar

BY = ("district", "township", "category", "month")
# §10's columns in its order, then what leadership asks next: where the target comes from,
# whether it was carried forward from an earlier year, the year-end projection and the
# persons still needed to reach the target.
DISTRICT_COLUMNS = [
    "programme", "indicator", "year", "as_of", "district_code", "district_name", "denominator",
    "numerator", "value", "unit", "target", "expected", "gap", "status",
    "target_year", "target_carried", "target_source", "projection", "persons_needed",
    "calendar_fallback",
]  # fmt: skip
TOWNSHIP_COLUMNS = [*DISTRICT_COLUMNS[:6], "township", *DISTRICT_COLUMNS[6:]]
CATEGORY_COLUMNS = [
    "programme", "indicator", "year", "as_of", "district_code", "district_name", "category",
    "denominator", "numerator", "value", "unit",
]  # fmt: skip


# Breakdowns finer than a district, where a count of 1–4 could point at a person.
FINE_BY = ("township", "category")


# Chinese column headers for people (the default keeps the machine-readable names).
# Column headers for reading, per language.
COLUMN_NAMES_ZH = {
    "programme": "项目", "indicator": "指标", "year": "年度", "as_of": "统计截至",
    "district_code": "区县代码", "district_name": "县（市、区）", "township": "乡镇（街道）",
    "category": "残疾类别", "denominator": "应服务人数", "numerator": "已服务人数",
    "value": "完成值", "unit": "单位", "target": "目标", "expected": "序时进度",
    "gap": "差距", "status": "状态", "target_year": "目标年度", "target_carried": "沿用往年目标",
    "target_source": "目标依据", "projection": "年末预计", "persons_needed": "尚需服务人数",
    "calendar_fallback": "工作日按周一至周五计",
}  # fmt: skip
COLUMN_NAMES_EN = {
    "programme": "Programme", "indicator": "Indicator", "year": "Year", "as_of": "As of",
    "district_code": "District code", "district_name": "District", "township": "Township",
    "category": "Disability category", "denominator": "Persons to serve",
    "numerator": "Persons served", "value": "Value", "unit": "Unit", "target": "Target",
    "expected": "Expected by now", "gap": "Gap", "status": "Status", "target_year": "Target year",
    "target_carried": "Target carried forward", "target_source": "Target source",
    "projection": "Year-end projection", "persons_needed": "Persons still needed",
    "calendar_fallback": "Working days counted Monday–Friday",
}  # fmt: skip
COLUMN_NAMES = {"zh": COLUMN_NAMES_ZH, "en": COLUMN_NAMES_EN}
_SHARES = ("value", "target", "expected", "projection")


def readable(rows: pl.DataFrame, lang: str = "zh") -> pl.DataFrame:
    """The rows as an office reads them: headers in `lang` (Chinese by default), shares as
    percentages (57.6%), gaps in percentage points, statuses in words."""
    from pipelines.outputs.formatting import STATUS_NAMES

    ratio = pl.col("unit") == "ratio" if "unit" in rows.columns else pl.lit(False)
    shares = [
        pl.when(ratio & pl.col(c).is_not_null())
        .then((pl.col(c).cast(pl.Float64) * 100).round(1).cast(pl.String) + "%")
        .otherwise(pl.col(c).cast(pl.String))
        .alias(c)
        for c in _SHARES
        if c in rows.columns
    ]
    words = {s: n[lang] for s, n in STATUS_NAMES.items()}
    statuses = (
        [pl.col("status").replace_strict(words, default=pl.col("status"))]
        if "status" in rows.columns
        else []
    )
    return rows.with_columns(*shares, *statuses).rename(
        {c: COLUMN_NAMES[lang][c] for c in rows.columns if c in COLUMN_NAMES[lang]}
    )


class ExportError(ValueError):
    """The request cannot be answered (unknown indicator for the programme, no data …)."""


def published_as_of(con: duckdb.DuckDBPyConnection) -> date | None:
    return scalar(con, "select as_of from mart_meta")


def export_frame(
    settings: Settings,
    indicator: str,
    programme: str,
    year: int,
    as_of: date | None = None,
    by: str = "district",
    small_cells: str | None = None,
) -> pl.DataFrame:
    """The rows `rehab-monitor export` writes, in its column order. Breakdowns finer than a
    district have counts of 1–4 shown as "<5", and the cells hidden with them so that they
    cannot be worked back as "*", unless `small_cells` (default: the setting) is "show"."""
    rows = _export_rows(settings, indicator, programme, year, as_of, by)
    if by in FINE_BY and (small_cells or settings.small_cells) == "suppress":
        return disclosure.as_text(protect_fine(rows, by))
    return rows


def protect_fine(rows: pl.DataFrame, by: str) -> pl.DataFrame:
    """Township or category rows with small cells and their complements hidden
    (pipelines.outputs.disclosure), marked in `<count>_hidden` columns."""
    if by == "township":
        return disclosure.protect(rows, disclosure.township_lines(), ["district_code", "township"])
    return disclosure.protect(
        rows,
        disclosure.breakdown_lines("district_code", "category"),
        ["district_code", "category"],
    )


def _export_rows(settings, indicator, programme, year, as_of, by) -> pl.DataFrame:
    con = snapshots.connect_published(settings)
    try:
        return export_rows(con, settings, indicator, programme, year, as_of, by)
    finally:
        con.close()


def export_rows(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    indicator: str,
    programme: str,
    year: int,
    as_of: date | None = None,
    by: str = "district",
) -> pl.DataFrame:
    """The export's rows read on `con` (a pinned snapshot), without small-cell suppression."""
    if by not in BY:
        raise ExportError(f"--by 应为 / must be one of {', '.join(BY)}")
    carried = scalar(
        con,
        "select count(*) from ref_programme_indicators where programme = ? and indicator = ?",
        [programme, indicator],
    )
    if not carried:
        raise ExportError(
            f"项目 {programme} 没有指标 {indicator} / programme {programme} has no indicator {indicator}"
        )
    published = published_as_of(con)
    if published is None:
        raise ExportError("尚无数据 / no data published yet")
    as_of = min(as_of or published, date(year, 12, 31))
    if as_of < date(year, 1, 1):
        raise ExportError(f"截至日期早于{year}年 / as-of date is before {year}")
    if by == "month":
        return _monthly(con, settings, programme, indicator, year, as_of)
    if by == "category":
        return _categories(con, programme, indicator, year, as_of)
    values = _values(con, settings, programme, indicator, year, as_of)
    if by == "township":
        rows = values.filter(pl.col("unit_level") == "township").sort("district_code", "township")
        return rows.select(TOWNSHIP_COLUMNS)
    districts = values.filter(pl.col("unit_level") == "district").sort("district_code")
    city = values.filter(pl.col("unit_level") == "city").with_columns(
        pl.lit("city").alias("district_code")
    )
    return pl.concat([districts, city]).select(DISTRICT_COLUMNS)


def _values(con, settings, programme, indicator, year, as_of) -> pl.DataFrame:
    params = [programme, indicator, year, as_of]
    where = "programme = ? and indicator = ? and year = ? and as_of = ?"
    if scalar(con, f"select count(*) from indicator_values where {where}", params):
        return frame(con, f"select * from indicator_values where {where}", params)
    computed = compute.compute_values(
        con, [(year, as_of)], compute.marts_lagging_points(con, settings)
    )
    return computed.filter(programme=programme, indicator=indicator)


def _monthly(con, settings, programme, indicator, year, as_of) -> pl.DataFrame:
    months = [p for p in compute.month_ends(year, as_of) if p[0] == year]
    published = frame(
        con,
        "select * from indicator_monthly where programme = ? and indicator = ? and year = ? "
        "and as_of <= ?",
        [programme, indicator, year, as_of],
    )
    if published.get_column("as_of").n_unique() != len(months):
        published = compute.compute_values(
            con, months, compute.marts_lagging_points(con, settings)
        ).filter(
            (pl.col("programme") == programme)
            & (pl.col("indicator") == indicator)
            & (pl.col("unit_level") != "township")
        )
    return (
        published.with_columns(
            pl.when(pl.col("unit_level") == "city")
            .then(pl.lit("city"))
            .otherwise(pl.col("district_code"))
            .alias("district_code")
        )
        .sort("as_of", pl.col("unit_level") == "city", "district_code")
        .select(DISTRICT_COLUMNS)
    )


def _categories(con, programme, indicator, year, as_of) -> pl.DataFrame:
    params = [programme, indicator, year, as_of]
    where = "programme = ? and indicator = ? and year = ? and as_of = ? and dimension = 'category'"
    rows = frame(con, f"select * from indicator_breakdowns where {where}", params)
    if rows.is_empty() and not scalar(
        con,
        "select count(*) from indicator_values where programme = ? and indicator = ? and year = ? and as_of = ?",
        params,
    ):
        rows = compute.compute_breakdowns(con, [(year, as_of)]).filter(
            (pl.col("programme") == programme)
            & (pl.col("indicator") == indicator)
            & (pl.col("dimension") == "category")
        )
    return (
        rows.rename(
            {"unit_code": "district_code", "unit_name": "district_name", "member": "category"}
        )
        .sort(pl.col("unit_level") == "city", "district_code", "category")
        .select(CATEGORY_COLUMNS)
    )
