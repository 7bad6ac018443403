"""Plain functions over the published snapshot: everything the pages show comes from here.

Each function reads the marts (the same tables exports and bulletins use) and returns plain
data; the Dash callbacks only format it. Connections are read-only cursors on the current
snapshot; when a run publishes a new snapshot the next call opens it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines import indicators, store
from pipelines.db import frame
from pipelines.settings import Settings

_lock = threading.Lock()
_connections: dict[Path, duckdb.DuckDBPyConnection] = {}


@contextmanager
def snapshot(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A cursor on the published snapshot (None when nothing is published yet)."""
    path = store.published_path(settings)
    if path is None:
        yield None
        return
    with _lock:
        parent = _connections.get(path)
        if parent is None:
            for old in list(_connections):
                _connections.pop(old).close()
            parent = _connections[path] = duckdb.connect(str(path), read_only=True)
        cursor = parent.cursor()
    try:
        yield cursor
    finally:
        cursor.close()


@dataclass(frozen=True)
class Meta:
    as_of: date | None
    jurisdiction: str
    years: list[int]
    programmes: list[dict]  # code, name_zh, name_en, source
    indicators: dict[str, list[str]]  # programme → indicator codes
    indicator_names: dict[str, dict]  # code → unit, name_zh, name_en, definition_zh


def meta(settings: Settings) -> Meta | None:
    """What is published: as-of date, years, programmes and their indicators."""
    with snapshot(settings) as con:
        if con is None:
            return None
        as_of = con.execute("select as_of from mart_meta").fetchall()[0][0]
        years = [
            r[0]
            for r in con.execute(
                "select distinct year from indicator_values order by year"
            ).fetchall()
        ]
        programmes = frame(
            con, "select code, name_zh, name_en, source from ref_programmes"
        ).to_dicts()
        pairs = con.execute("select programme, indicator from ref_programme_indicators").fetchall()
        names = frame(con, "select * from ref_indicators").to_dicts()
        juris = con.execute("select name from ref_jurisdiction").fetchall()[0][0]
    indicators: dict[str, list[str]] = {}
    for programme, indicator in pairs:
        indicators.setdefault(programme, []).append(indicator)
    return Meta(
        as_of=as_of,
        jurisdiction=juris,
        years=years,
        programmes=programmes,
        indicators=indicators,
        indicator_names={n["code"]: n for n in names},
    )


def headline_indicator(meta: Meta, programme: str) -> str:
    """The indicator a programme's card shows: its first indicator that has a target row."""
    return meta.indicators[programme][0]


def as_of_options(settings: Settings, year: int) -> list[date]:
    """The as-of dates the marts hold for a year, newest first (each month end, and the
    latest date in the data)."""
    with snapshot(settings) as con:
        if con is None:
            return []
        rows = con.execute(
            "select distinct as_of from indicator_monthly where year = ? "
            "union select distinct as_of from indicator_values where year = ? order by as_of desc",
            [year, year],
        ).fetchall()
    return [r[0] for r in rows]


def _source(
    con: duckdb.DuckDBPyConnection, year: int, as_of: date | None
) -> tuple[str, date | None]:
    """Which mart holds the year at `as_of`: indicator_values for the published date,
    indicator_monthly for a month end."""
    published = con.execute(
        "select max(as_of) from indicator_values where year = ?", [year]
    ).fetchall()[0][0]
    if as_of is None or as_of == published:
        return "indicator_values", published
    return "indicator_monthly", as_of


def values(
    settings: Settings, programme: str, indicator: str, year: int, as_of: date | None = None
) -> pl.DataFrame:
    """District rows and the city row of one indicator (at the published as-of by default)."""
    with snapshot(settings) as con:
        table, as_of = _source(con, year, as_of)
        return frame(
            con,
            f"""
            select * from {table}
            where programme = ? and indicator = ? and year = ? and as_of = ?
                and unit_level in ('district', 'city')
            order by unit_level = 'city', district_code
            """,
            [programme, indicator, year, as_of],
        )


def city_rows(settings: Settings, year: int, as_of: date | None = None) -> pl.DataFrame:
    """Every programme indicator's city row for the year (the KPI cards)."""
    with snapshot(settings) as con:
        table, as_of = _source(con, year, as_of)
        return frame(
            con,
            f"select * from {table} where year = ? and as_of = ? and unit_level = 'city' order by programme",
            [year, as_of],
        )


def monthly(
    settings: Settings, programme: str, indicator: str, year: int, unit_code: str
) -> pl.DataFrame:
    """The indicator at each month end of the year for one unit (city or a district code)."""
    with snapshot(settings) as con:
        return frame(
            con,
            """
            select as_of, value, expected, target, numerator, denominator, status
            from indicator_monthly
            where programme = ? and indicator = ? and year = ? and unit_code = ?
            order by as_of
            """,
            [programme, indicator, year, unit_code],
        )


def townships(
    settings: Settings,
    programme: str,
    indicator: str,
    year: int,
    district: str,
    as_of: date | None = None,
) -> pl.DataFrame:
    """Township rows of a district; another as-of date than the published one is computed
    on the snapshot with the same indicator SQL."""
    with snapshot(settings) as con:
        table, as_of = _source(con, year, as_of)
        if table == "indicator_values":
            rows = frame(
                con,
                "select * from indicator_values where programme = ? and indicator = ? and year = ? "
                "and unit_level = 'township' and district_code = ?",
                [programme, indicator, year, district],
            )
        else:
            rows = indicators.compute_values(con, [(year, as_of)], settings.lagging_points).filter(
                (pl.col("programme") == programme)
                & (pl.col("indicator") == indicator)
                & (pl.col("unit_level") == "township")
                & (pl.col("district_code") == district)
            )
    return rows.sort("township").select(
        "township", "denominator", "numerator", "value", "target", "gap", "status", "persons_needed"
    )


def breakdowns(
    settings: Settings,
    programme: str,
    indicator: str,
    year: int,
    unit_code: str,
    dimension: str,
    as_of: date | None = None,
) -> pl.DataFrame:
    with snapshot(settings) as con:
        table, as_of = _source(con, year, as_of)
        if table == "indicator_values":
            rows = frame(
                con,
                "select * from indicator_breakdowns where programme = ? and indicator = ? and year = ? "
                "and unit_code = ? and dimension = ?",
                [programme, indicator, year, unit_code, dimension],
            )
        else:
            rows = indicators.compute_breakdowns(con, [(year, as_of)]).filter(
                (pl.col("programme") == programme)
                & (pl.col("indicator") == indicator)
                & (pl.col("unit_code") == unit_code)
                & (pl.col("dimension") == dimension)
            )
    return rows.sort("member").select("member", "denominator", "numerator", "value")


def lacking_capability(
    settings: Settings, programme: str, year: int, as_of: date | None = None
) -> list[str]:
    """Names of the districts without a designated institution for the programme in the year."""
    rows = values(settings, programme, "district_capability", year, as_of)
    return (
        rows.filter((pl.col("unit_level") == "district") & (pl.col("numerator") == 0))
        .get_column("district_name")
        .to_list()
    )


def notifications(
    settings: Settings,
    status: str = "open",
    programme: str | None = None,
    district: str | None = None,
    rule: str | None = None,
) -> pl.DataFrame:
    """The notification feed of the published snapshot, newest first."""
    with snapshot(settings) as con:
        if con is None:
            return pl.DataFrame()
        where, params = ["(? = 'all' or status = ?)"], [status, status]
        for column, value in (
            ("programme", programme),
            ("district_code", district),
            ("rule", rule),
        ):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        return frame(
            con,
            f"select * from notifications where {' and '.join(where)} "
            "order by first_seen_at desc, rule, district_code",
            params,
        )


def new_notifications(settings: Settings, since: datetime | None) -> int:
    """Open notifications first seen after `since` (the user's last visit)."""
    with snapshot(settings) as con:
        if con is None:
            return 0
        sql = "select count(*) from notifications where status = 'open'"
        params: list = []
        if since is not None:
            sql += " and first_seen_at > ?"
            params.append(since)
        return con.execute(sql, params).fetchall()[0][0]


def unit_names(settings: Settings) -> dict[str, str]:
    with snapshot(settings) as con:
        if con is None:
            return {}
        return dict(con.execute("select code, name from ref_units").fetchall())
