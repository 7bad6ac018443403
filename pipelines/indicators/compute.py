"""Indicators (§4): reference tables in the database and the one SQL definition of every
indicator, run for any set of (year, as-of) periods.

The marts call `compute_values` for the default periods; `rehab-monitor export` and the app
call it on the published snapshot for any other year or as-of date. Both run the same SQL in
`pipelines/indicators/sql/indicators/`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import date, timedelta

import chinese_calendar
import duckdb
import polars as pl

from pipelines.indicators.engines import DuckDBEngine, Engine, named_selects
from pipelines.indicators.reference import Reference, ReferenceError
from pipelines.indicators.regions import jurisdiction
from pipelines.settings import Settings
from pipelines.warehouse.db import frame, scalar, sql_file

# The working-day calendar's first day; it runs to the end of the year after today (or after
# the latest data).
CALENDAR_START = date(2015, 1, 1)
BREAKDOWN_DIMENSIONS = ("category", "gender", "age_band", "township")


def workdays(start: date, end: date) -> pl.DataFrame:
    """Every day with whether it is a working day: the official calendar (holidays and
    make-up working days) where chinese-calendar covers the year, Monday–Friday elsewhere."""
    days, flags, sources = [], [], []
    d = start
    while d <= end:
        try:
            flags.append(chinese_calendar.is_workday(d))
            sources.append("official")
        except NotImplementedError:
            flags.append(d.weekday() < 5)
            sources.append("weekday_fallback")
        days.append(d)
        d += timedelta(days=1)
    df = pl.DataFrame({"day": days, "is_workday": flags, "source": sources})
    return df.with_columns(pl.col("is_workday").cast(pl.Int64).cum_sum().alias("workday_seq"))


def load_reference(
    con: duckdb.DuckDBPyConnection, settings: Settings, reference: Reference | None = None
) -> None:
    """(Re)create the ref_* tables the indicator SQL reads, from the reference files."""
    reference = reference or Reference(settings)
    juris = jurisdiction(settings.jurisdiction)
    programmes = pl.DataFrame(
        [
            {
                "position": position,
                "code": p.code,
                "name_zh": p.name_zh,
                "name_en": p.name_en,
                "need_filter": p.need_filter,
                "standardized_only": p.standardized_only,
                "children_only": p.children_only,
                "quarterly_settlement": p.quarterly_settlement,
                "source": p.source,
            }
            for position, p in enumerate(reference.programmes.values(), start=1)
        ]
    )
    units = {i.code: i.unit for i in reference.indicators.values()}
    # In the order of the programme's indicator list: the first is its headline indicator
    # (the overview's card, map and ranking, the bulletin's table).
    pairs = pl.DataFrame(
        [
            {
                "programme": p.code,
                "indicator": ind,
                "unit": units[ind],
                "position": position,
                "headline": position == 1,
            }
            for p in reference.programmes.values()
            for position, ind in enumerate(p.indicators, start=1)
        ]
    )
    regions = pl.DataFrame(
        {
            "code": [u.code for u in juris.units],
            "name": [u.name for u in juris.units],
            "prefecture": [u.city_code for u in juris.units],
        }
    )
    # The level between the jurisdiction and its districts (a province's cities); empty for a
    # city. The marts hold a row per prefecture, the map shows them first.
    prefectures = pl.DataFrame(
        {"code": [c for c, _ in juris.prefectures], "name": [n for _, n in juris.prefectures]},
        schema={"code": pl.String, "name": pl.String},
    )
    indicators = pl.DataFrame([i.__dict__ for i in reference.indicators.values()])
    tables = {
        "ref_programmes": programmes,
        "ref_programme_indicators": pairs,
        "ref_indicators": indicators,
        "ref_targets": reference.targets(juris.codes | {c for c, _ in juris.prefectures}),
        "ref_units": regions,
        "ref_prefectures": prefectures,
        "ref_workdays": workdays(CALENDAR_START, _calendar_end(con, settings)),
    }
    for name, df in tables.items():
        arrow = df.to_arrow()  # noqa: F841 — read by DuckDB's replacement scan
        con.execute(f"create or replace table {name} as select * from arrow")
    con.execute(
        "create or replace table ref_jurisdiction as select ? as code, ? as name, ? as level",
        [juris.code, juris.name, juris.level],
    )


def _calendar_end(con: duckdb.DuckDBPyConnection, settings: Settings) -> date:
    """The end of the year after today or after the latest data, whichever is later."""
    latest = data_as_of(con, date.max)  # any date in the data, even one after today
    year = max(settings.current_date().year, latest.year if latest else 0)
    return date(year + 1, 12, 31)


def data_as_of(con: duckdb.DuckDBPyConnection, today: date | None = None) -> date | None:
    """The data's as-of date: the latest day on which something happened — a registration,
    an application, a review, an assessment, a referral, a service start, an exit or a
    settlement — and never after `today`. A scheduled end date (a service planned to end next
    July) is not something that happened, so it never moves the as-of date."""
    happened = [
        ("cases", c)
        for c in ("registration_date", "application_date", "review_date", "assessment_date",
                  "referral_date", "exit_date")
    ] + [("services", "start_date"), ("services", "settled_date")]  # fmt: skip
    latest = " , ".join(
        f"(select max({column}) from {table} where {column} <= $today)"
        for table, column in happened
    )
    return scalar(con, f"select greatest({latest})", {"today": today or date.today()})


def periods_for(years: Iterable[int], as_of: date) -> list[tuple[int, date]]:
    """(year, as-of) pairs: a past year is measured at its Dec 31, the current one at as_of."""
    return [(y, min(as_of, date(y, 12, 31))) for y in sorted(set(years)) if date(y, 1, 1) <= as_of]


def month_ends(first_year: int, as_of: date) -> list[tuple[int, date]]:
    """Each month end from January of `first_year` up to as_of (the last one is as_of)."""
    out = []
    y, m = first_year, 1
    while date(y, m, 1) <= as_of:
        nxt = date(y + (m == 12), m % 12 + 1, 1)
        out.append((y, min(nxt - timedelta(days=1), as_of)))
        y, m = nxt.year, nxt.month
    return out


# The reference tables the indicator SQL reads (written by load_reference), and the loaded ones.
REFERENCE_TABLES = (
    "ref_programmes", "ref_programme_indicators", "ref_indicators", "ref_targets", "ref_units",
    "ref_prefectures", "ref_workdays", "ref_jurisdiction",
)  # fmt: skip


def _prepare(engine: Engine, periods: list[tuple[int, date]]) -> None:
    """The periods table and the facts of 10_facts.sql for them, materialised by the engine."""
    engine.put(
        "periods",
        pl.DataFrame(periods, schema={"year": pl.Int32, "as_of": pl.Date}, orient="row"),
    )
    for name, select in named_selects(sql_file("indicators", "indicators", "10_facts.sql")):
        engine.materialise(name, select)


def breakdowns_sql() -> str:
    return sql_file("indicators", "indicators", "30_breakdowns.sql")


def values_sql() -> str:
    return sql_file("indicators", "indicators", "20_values.sql")


# Figures computed on request (a page or download for an as-of date the marts do not hold)
# take a few seconds of CPU each: at most this many run at once in a process, the others wait,
# so a few users asking for unpublished dates cannot take every core of the server.
ON_DEMAND_SLOTS = 2
_on_demand = threading.BoundedSemaphore(ON_DEMAND_SLOTS)


def compute_values(
    con: duckdb.DuckDBPyConnection, periods: list[tuple[int, date]], lagging_points: float
) -> pl.DataFrame:
    """indicator_values rows for the given periods (see 20_values.sql)."""
    with _on_demand:
        _prepare(DuckDBEngine(con), periods)
        return frame(con, values_sql(), {"lagging_points": float(lagging_points)})


def compute_breakdowns(
    con: duckdb.DuckDBPyConnection, periods: list[tuple[int, date]]
) -> pl.DataFrame:
    """Person-level indicators by category, gender, age band and township (30_breakdowns.sql)."""
    with _on_demand:
        return _breakdowns(con, periods)


def _breakdowns(con: duckdb.DuckDBPyConnection, periods: list[tuple[int, date]]) -> pl.DataFrame:
    _prepare(DuckDBEngine(con), periods)
    return frame(con, breakdowns_sql())


# Person-periods per chunk of the marts' computation (persons × periods, baselines included):
# about what 4 GB of DuckDB memory holds with the facts' columns.
CHUNK_PERSON_PERIODS = 30_000_000


def chunk_size(con: duckdb.DuckDBPyConnection) -> int:
    """How many periods to compute at once for the number of persons loaded."""
    persons = scalar(con, "select count(distinct person_key) from cases") or 1
    # A chunk also carries the baseline (Dec 31 before) of its year: one period more.
    return max(1, CHUNK_PERSON_PERIODS // persons - 1)


def _chunked(periods: list[tuple[int, date]], size: int) -> list[list[tuple[int, date]]]:
    return [periods[i : i + size] for i in range(0, len(periods), size)]


def refresh_marts(
    con: duckdb.DuckDBPyConnection, settings: Settings, engine: Engine | None = None
) -> None:
    """Recompute indicator_values, indicator_monthly and indicator_breakdowns in the warehouse,
    on `engine` (default: DuckDB, the warehouse itself)."""
    engine = engine or DuckDBEngine(con)
    load_reference(con, settings)
    engine.use_tables(REFERENCE_TABLES)
    as_of = data_as_of(con, settings.current_date())
    sql = values_sql()
    threshold = {"lagging_points": float(settings.lagging_points)}
    if as_of is None:
        # No cases or services yet: empty marts with their columns, so readers still work.
        _prepare(engine, [])
        engine.write("indicator_values", sql, threshold)
        engine.write("indicator_breakdowns", breakdowns_sql())
        engine.write("indicator_monthly", sql, threshold)
        _write_meta(con, None, settings, engine.name)
        return
    years = range(as_of.year - 2, as_of.year + 1)
    size = chunk_size(con)
    # Each period is computed with its own baseline, so periods can be computed in chunks:
    # the person × period facts of one chunk stay within memory at any scale.
    for i, chunk in enumerate(_chunked(periods_for(years, as_of), size)):
        _prepare(engine, chunk)
        engine.write("indicator_values", sql, threshold, append=i > 0)
        engine.write("indicator_breakdowns", breakdowns_sql(), append=i > 0)
    monthly = f"select * from ({sql}) as v where unit_level <> 'township'"
    for i, chunk in enumerate(_chunked(month_ends(as_of.year - 2, as_of), size)):
        _prepare(engine, chunk)
        engine.write("indicator_monthly", monthly, threshold, append=i > 0)
    _write_meta(con, as_of, settings, engine.name)


# The marts' layout: a snapshot built by another version is rebuilt by the next run.
MARTS_VERSION = "3"


def _write_meta(
    con: duckdb.DuckDBPyConnection, as_of: date | None, settings: Settings, engine: str
) -> None:
    """What the marts were built with: the data's as-of date and the status threshold, so a
    reader classifies a period it computes on the snapshot exactly as the marts did, and the
    engine that computed them."""
    con.execute(
        "create or replace table mart_meta as select cast($as_of as date) as as_of, "
        "current_timestamp as computed_at, cast($lagging_points as double) as lagging_points, "
        "$version as marts_version, $engine as engine",
        {
            "as_of": as_of,
            "lagging_points": float(settings.lagging_points),
            "version": MARTS_VERSION,
            "engine": engine,
        },
    )


def marts_lagging_points(con: duckdb.DuckDBPyConnection, settings: Settings) -> float:
    """The status threshold the published marts were built with (a snapshot published before
    the threshold was recorded: the setting)."""
    try:
        stored = scalar(con, "select lagging_points from mart_meta")
    except duckdb.BinderException:
        stored = None
    return float(settings.lagging_points) if stored is None else stored


__all__ = [
    "BREAKDOWN_DIMENSIONS",
    "ReferenceError",
    "compute_breakdowns",
    "compute_values",
    "data_as_of",
    "load_reference",
    "month_ends",
    "periods_for",
    "refresh_marts",
    "workdays",
]
