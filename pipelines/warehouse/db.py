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
from schemas.contract import DATASETS, Dataset


def sql_folder(stage: str, *parts: str) -> Traversable:
    """A folder of SQL files: `pipelines/<stage>/sql/<parts>`."""
    return resources.files(f"pipelines.{stage}").joinpath("sql", *parts)


def sql_file(stage: str, *parts: str) -> str:
    """The text of a SQL file shipped with the pipelines (`pipelines/<stage>/sql/<parts>`)."""
    return sql_folder(stage, *parts[:-1]).joinpath(parts[-1]).read_text(encoding="utf-8")


_SQL_TYPES = {
    "date": "DATE", "yes_no": "BOOLEAN", "number": "DOUBLE", "int": "INTEGER", "list": "VARCHAR[]",
}  # fmt: skip


def loaded_columns(dataset: Dataset) -> list[tuple[str, str, bool]]:
    """(name, SQL type, not null) of a dataset's loaded table, derived from its contract: raw
    identities become the person key and masked forms (see ingest.protect), a district name
    is resolved into district_code, and every row keeps its source file and row and the run
    that wrote it (to tell when an older file takes rows back from a newer one)."""
    has_id = any(c.kind == "id_number" for c in dataset.columns)
    columns = []
    for c in dataset.columns:
        if c.kind == "id_number":
            columns += [("person_key", "VARCHAR", True), ("id_masked", "VARCHAR", False)]
        elif c.kind == "name":
            if has_id:
                columns.append(("name_masked", "VARCHAR", False))
        elif c.kind not in ("certificate_no", "district"):
            not_null = c.required or c.kind == "district_code"
            columns.append((c.name, _SQL_TYPES.get(c.kind, "VARCHAR"), not_null))
    return [
        *columns,
        ("source_file", "VARCHAR", True),
        ("source_row", "BIGINT", True),
        ("source_run", "INTEGER", False),
    ]


def _loaded_tables_sql() -> str:
    """The loaded tables; a nullable column added in a later release is added to an existing
    database (its old rows hold null there)."""
    statements = []
    for ds in DATASETS.values():
        columns = loaded_columns(ds)
        statements.append(
            f"create table if not exists {ds.name} ("
            + ", ".join(f"{n} {t}{' not null' if nn else ''}" for n, t, nn in columns)
            + ");"
        )
        statements += [
            f"alter table {ds.name} add column if not exists {n} {t};"
            for n, t, nn in columns
            if not nn
        ]
    return "\n".join(statements)


def connect_warehouse(settings: Settings) -> duckdb.DuckDBPyConnection:
    """Open (and create if needed) the working database; only the pipeline run writes it."""
    settings.ensure_dirs()
    # A memory limit makes DuckDB spill big loads to disk instead of growing with the file.
    con = duckdb.connect(
        str(settings.warehouse_path), config={"memory_limit": settings.duckdb_memory}
    )
    con.execute(_loaded_tables_sql())
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
