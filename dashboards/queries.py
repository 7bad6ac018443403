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
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from pipelines import store
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


def values(settings: Settings, programme: str, indicator: str, year: int) -> pl.DataFrame:
    """District rows and the city row of one indicator at the published as-of date."""
    with snapshot(settings) as con:
        return frame(
            con,
            """
            select * from indicator_values
            where programme = ? and indicator = ? and year = ? and unit_level in ('district', 'city')
            order by unit_level = 'city', district_code
            """,
            [programme, indicator, year],
        )


def city_rows(settings: Settings, year: int) -> pl.DataFrame:
    """Every programme indicator's city row for the year (the KPI cards)."""
    with snapshot(settings) as con:
        return frame(
            con,
            "select * from indicator_values where year = ? and unit_level = 'city' order by programme",
            [year],
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
    settings: Settings, programme: str, indicator: str, year: int, district: str
) -> pl.DataFrame:
    with snapshot(settings) as con:
        return frame(
            con,
            """
            select township, denominator, numerator, value, target, gap, status, persons_needed
            from indicator_values
            where programme = ? and indicator = ? and year = ? and unit_level = 'township'
                and district_code = ?
            order by township
            """,
            [programme, indicator, year, district],
        )


def breakdowns(
    settings: Settings, programme: str, indicator: str, year: int, unit_code: str, dimension: str
) -> pl.DataFrame:
    with snapshot(settings) as con:
        return frame(
            con,
            """
            select member, denominator, numerator, value
            from indicator_breakdowns
            where programme = ? and indicator = ? and year = ? and unit_code = ? and dimension = ?
            order by member
            """,
            [programme, indicator, year, unit_code, dimension],
        )


def lacking_capability(settings: Settings, programme: str, year: int) -> list[str]:
    """Names of the districts without a designated institution for the programme in the year."""
    rows = values(settings, programme, "district_capability", year)
    return (
        rows.filter((pl.col("unit_level") == "district") & (pl.col("numerator") == 0))
        .get_column("district_name")
        .to_list()
    )


def unit_names(settings: Settings) -> dict[str, str]:
    with snapshot(settings) as con:
        if con is None:
            return {}
        return dict(con.execute("select code, name from ref_units").fetchall())
