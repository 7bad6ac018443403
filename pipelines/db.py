"""Small DuckDB helpers that respect DuckDB 2.0's streaming results.

In DuckDB 2.0 an `execute()` result owns the connection until it is drained, and polars
output comes from relations (`con.sql(...).pl()`); these helpers always drain.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import polars as pl


def frame(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | None = None
) -> pl.DataFrame:
    """The query's result as a polars DataFrame."""
    return con.sql(sql, params=list(params) if params else None).pl()


def rows(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | None = None
) -> list[tuple]:
    return con.execute(sql, list(params) if params else []).fetchall()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | None = None) -> Any:
    """The first column of the first row, or None when there is no row."""
    result = rows(con, sql, params)
    return result[0][0] if result else None
