"""Where the indicator SQL runs: an engine materialises the named selects of the indicator
files as temporary tables, runs a select into a frame and writes a select's rows as a table of
the working database.

DuckDB (the working database itself) is the default and what the app uses for figures computed
on request; Apache Spark (`pipelines/indicators/spark.py`) runs the same SQL for installations
beside a Hadoop/Spark platform. Which periods are computed, and in which chunks, is decided by
compute.py the same way for both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Protocol

import duckdb
import polars as pl

from pipelines.settings import ENGINES, Settings
from pipelines.warehouse.db import Params, _bound, frame

_NAME = re.compile(r"^-- name: (\w+)[ \t]*$", re.MULTILINE)


def named_selects(text: str) -> list[tuple[str, str]]:
    """The selects of a SQL file, each introduced by a `-- name: TABLE` line, in file order.
    Comment lines after a select (the next one's introduction) are not part of it."""
    parts = _NAME.split(text)
    selects = []
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        lines = body.strip().splitlines()
        while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith("--")):
            lines.pop()
        selects.append((name, "\n".join(lines).rstrip().rstrip(";")))
    return selects


class Engine(Protocol):
    """What compute.py and marts.py need from an engine."""

    name: str

    def use_tables(self, names: Iterable[str]) -> None:
        """Make these tables of the working database readable by the engine's SQL."""

    def put(self, name: str, df: pl.DataFrame) -> None:
        """A small frame as the temporary table `name` (the periods to compute)."""

    def materialise(self, name: str, sql: str, params: Params = None) -> None:
        """The select's rows as the temporary table `name`, computed now (not a lazy view)."""

    def frame(self, sql: str, params: Params = None) -> pl.DataFrame:
        """The select's rows."""

    def write(self, table: str, sql: str, params: Params = None, *, append: bool = False) -> None:
        """The select's rows as table `table` of the working database (replaced, or appended)."""


class DuckDBEngine:
    """The working database runs the SQL itself: nothing moves."""

    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    def use_tables(self, names: Iterable[str]) -> None:
        """Nothing to do: the tables are here."""

    def put(self, name: str, df: pl.DataFrame) -> None:
        arrow = df.to_arrow()  # noqa: F841 — read by DuckDB's replacement scan
        self.con.execute(f"create or replace temp table {name} as select * from arrow")

    def materialise(self, name: str, sql: str, params: Params = None) -> None:
        self.con.execute(f"create or replace temp table {name} as {sql}", _bound(params))

    def frame(self, sql: str, params: Params = None) -> pl.DataFrame:
        return frame(self.con, sql, params)

    def write(self, table: str, sql: str, params: Params = None, *, append: bool = False) -> None:
        verb = f"insert into {table}" if append else f"create or replace table {table} as"
        self.con.execute(f"{verb} {sql}", _bound(params))


@contextmanager
def open_engine(
    con: duckdb.DuckDBPyConnection, settings: Settings, name: str | None = None
) -> Iterator[Engine]:
    """The engine `name` (default: the setting REHAB_MONITOR_ENGINE) over the working database."""
    name = name or settings.engine
    if name == "duckdb":
        yield DuckDBEngine(con)
        return
    if name != "spark":
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {name!r}")
    from pipelines.indicators import spark

    engine = spark.engine_for(con, settings)
    try:
        yield engine
    finally:
        engine.close()


__all__ = ["ENGINES", "DuckDBEngine", "Engine", "named_selects", "open_engine"]
