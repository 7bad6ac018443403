"""Load: type the good rows and upsert them by key into the working database.

A file's rows are staged first, then swapped in with the file's registry entry and its
quarantine lines in one transaction: a run killed at any point leaves either all of a file
or none of it, and an interrupted file is simply loaded again by the next run.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl

from pipelines.warehouse.db import rows, scalar
from schemas.contract import Dataset

_TYPES = {
    "date": pl.Date,
    "yes_no": pl.Boolean,
    "number": pl.Float64,
    "int": pl.Int64,
}


def typed(df: pl.DataFrame, dataset: Dataset, source_file: str, run_id: int) -> pl.DataFrame:
    """Canonical text → column types of the warehouse table, with the row's provenance."""
    exprs = []
    for col in dataset.columns:
        if col.name not in df.columns:
            continue
        c = pl.col(col.name)
        if col.kind == "date":
            exprs.append(c.str.to_date("%Y-%m-%d"))
        elif col.kind == "yes_no":
            exprs.append(c.replace_strict({"Y": True, "N": False}, return_dtype=pl.Boolean))
        elif col.kind in ("number", "int"):
            exprs.append(c.cast(pl.Float64).cast(_TYPES[col.kind]))
        elif col.kind == "list":
            exprs.append(c.str.split(";"))
    return df.with_columns(exprs).with_columns(
        pl.lit(source_file).alias("source_file"),
        pl.col("_row").alias("source_row"),
        pl.lit(run_id, pl.Int32).alias("source_run"),
    )


class Stage:
    """A temporary table collecting one file's good rows across batches."""

    def __init__(self, con: duckdb.DuckDBPyConnection, dataset: Dataset):
        self.con = con
        self.dataset = dataset
        self.table = f"stage_{dataset.name}"
        con.execute(f"create or replace temp table {self.table} as from {dataset.name} limit 0")
        self.columns = [r[0] for r in con.execute(f"describe {self.table}").fetchall()]
        self.rows = 0

    def add(self, df: pl.DataFrame) -> None:
        batch = df.select([c for c in self.columns if c in df.columns]).to_arrow()  # noqa: F841
        self.con.execute(f"insert into {self.table} by name select * from batch")
        self.rows += df.height

    def keys(self) -> set[tuple]:
        key = ", ".join(self.dataset.key)
        return set(rows(self.con, f"select {key} from {self.table}"))

    def drop(self) -> None:
        self.con.execute(f"drop table if exists {self.table}")


def commit_file(
    con: duckdb.DuckDBPyConnection,
    stage: Stage,
    *,
    run_id: int,
    file: str,
    file_hash: str,
    quarantine: pl.DataFrame,
    register: bool = True,
) -> None:
    """Replace the rows the file carries, record the file and its quarantine, atomically.

    `register` records the file as loaded (its last dataset, when a workbook holds several).
    """
    target = stage.dataset.name
    key = stage.dataset.key
    match = " and ".join(f"t.{k} = s.{k}" for k in key)
    con.execute("begin transaction")
    try:
        con.execute(
            f"delete from {target} t where exists (select 1 from {stage.table} s where {match})"
        )
        con.execute(f"insert into {target} by name select * from {stage.table}")
        _insert_quarantine(con, quarantine)
        if register:
            con.execute(
                "insert into loaded_files values (?, ?, ?, ?, ?)",
                [file_hash, file, target, run_id, datetime.now()],
            )
        set_state(con, "changed", "true")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        stage.drop()


def _insert_quarantine(con: duckdb.DuckDBPyConnection, quarantine: pl.DataFrame) -> None:
    if quarantine.height:
        q = quarantine.to_arrow()  # noqa: F841
        con.execute("insert into quarantine by name select * from q")


def record_quarantine(con: duckdb.DuckDBPyConnection, quarantine: pl.DataFrame) -> None:
    """Quarantine lines of a file that did not load (refused), outside a file commit."""
    _insert_quarantine(con, quarantine)


def set_state(con: duckdb.DuckDBPyConnection, name: str, value: str | None) -> None:
    con.execute("delete from state where name = ?", [name])
    con.execute("insert into state values (?, ?)", [name, value])


def get_state(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    return scalar(con, "select value from state where name = ?", [name])
