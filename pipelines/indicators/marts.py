"""Marts: the published summaries every page, export and bulletin reads.

Each `pipelines/indicators/sql/marts/*.sql` file is run in name order, then the indicator marts.
"""

from __future__ import annotations

import duckdb

from pipelines.indicators import compute
from pipelines.settings import Settings
from pipelines.warehouse.db import sql_file, sql_folder


def mart_files() -> list[str]:
    return sorted(
        p.name for p in sql_folder("indicators", "marts").iterdir() if p.name.endswith(".sql")
    )


def refresh(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Rebuild every mart from the loaded tables.

    Not one transaction: readers never read the working database (they read the published
    snapshot, which is copied only after the marts are complete), and a run that dies here
    leaves its publication pending, so the next run computes the marts again. Statement by
    statement, DuckDB frees each replaced temp table at once; inside one transaction it would
    keep every chunk's facts until the commit (tens of GB at national scale)."""
    for name in mart_files():
        con.execute(sql_file("indicators", "marts", name))
    compute.refresh_marts(con, settings)
