"""The loaded tables as Parquet files, for engines that read them where the working database
cannot go (Apache Spark on a cluster reads them from HDFS or object storage)."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from pipelines.warehouse.db import scalar
from schemas.contract import DATASETS


def table_file(directory: str | Path, table: str) -> str:
    """Where a loaded table's Parquet file is in `directory` (a local folder or a URI)."""
    return f"{str(directory).rstrip('/')}/{table}.parquet"


def export_parquet(con: duckdb.DuckDBPyConnection, directory: Path) -> dict[str, int]:
    """Write every loaded table (cases, services, institutions, staff) to DIRECTORY/TABLE.parquet;
    each file is replaced whole (written beside, then renamed). Returns the rows per table."""
    directory.mkdir(parents=True, exist_ok=True)
    counts = {}
    for table in DATASETS:
        final = Path(table_file(directory, table))
        partial = final.with_suffix(".parquet.partial")
        relation = con.table(table)
        relation.write_parquet(str(partial), compression="zstd")
        os.replace(partial, final)
        counts[table] = scalar(con, f"select count(*) from {table}")
    return counts
