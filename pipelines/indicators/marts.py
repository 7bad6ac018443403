"""Marts: the published summaries every page, export and bulletin reads.

Each `pipelines/indicators/sql/marts/*.sql` file is run in name order, then the indicator marts.
"""

from __future__ import annotations

import duckdb

from pipelines.indicators import compute
from pipelines.indicators.engines import DuckDBEngine, Engine, named_selects
from pipelines.settings import Settings
from pipelines.warehouse.db import sql_file, sql_folder
from schemas.contract import DATASETS


def mart_files() -> list[str]:
    return sorted(
        p.name for p in sql_folder("indicators", "marts").iterdir() if p.name.endswith(".sql")
    )


def refresh(
    con: duckdb.DuckDBPyConnection, settings: Settings, engine: Engine | None = None
) -> None:
    """Rebuild every mart from the loaded tables, on `engine` (default: DuckDB).

    Not one transaction: readers never read the working database (they read the published
    snapshot, which is copied only after the marts are complete), and a run that dies here
    leaves its publication pending, so the next run computes the marts again. Statement by
    statement, DuckDB frees each replaced temp table at once; inside one transaction it would
    keep every chunk's facts until the commit (tens of GB at national scale)."""
    engine = engine or DuckDBEngine(con)
    engine.use_tables(DATASETS)
    for name in mart_files():
        for table, select in named_selects(sql_file("indicators", "marts", name)):
            engine.write(table, select)
    compute.refresh_marts(con, settings, engine)
