"""The working database: its connection and schema, the SQL files shipped with the
pipelines, and small DuckDB helpers that respect DuckDB 2.0's streaming results.

In DuckDB 2.0 an `execute()` result owns the connection until it is drained, and polars
output comes from relations (`con.sql(...).pl()`); these helpers always drain.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import duckdb
import polars as pl

from pipelines.settings import Settings


def sql_folder(stage: str, *parts: str) -> Traversable:
    """A folder of SQL files: `pipelines/<stage>/sql/<parts>`."""
    return resources.files(f"pipelines.{stage}").joinpath("sql", *parts)


def sql_file(stage: str, *parts: str) -> str:
    """The text of a SQL file shipped with the pipelines (`pipelines/<stage>/sql/<parts>`)."""
    return sql_folder(stage, *parts[:-1]).joinpath(parts[-1]).read_text(encoding="utf-8")


def connect_warehouse(settings: Settings) -> duckdb.DuckDBPyConnection:
    """Open (and create if needed) the working database; only the pipeline run writes it."""
    settings.ensure_dirs()
    # A memory limit makes DuckDB spill big loads to disk instead of growing with the file.
    con = duckdb.connect(
        str(settings.warehouse_path), config={"memory_limit": settings.duckdb_memory}
    )
    con.execute(sql_file("warehouse", "warehouse.sql"))
    return con


Params = Sequence[Any] | Mapping[str, Any] | None


def _bound(params: Params):
    """Positional parameters (`?`) as a list, named ones (`$name`) as a dict."""
    if not params:
        return None
    return dict(params) if isinstance(params, Mapping) else list(params)


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: Params = None) -> pl.DataFrame:
    """The query's result as a polars DataFrame."""
    return con.sql(sql, params=_bound(params)).pl()


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Params = None) -> list[tuple]:
    return con.execute(sql, _bound(params) or []).fetchall()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: Params = None) -> Any:
    """The first column of the first row, or None when there is no row."""
    result = rows(con, sql, params)
    return result[0][0] if result else None
