"""Marts: the published summaries every page, export and bulletin reads.

Each `pipelines/sql/marts/*.sql` file is run in name order, then the indicator marts.
"""

from __future__ import annotations

from importlib import resources

import duckdb

from pipelines import indicators
from pipelines.settings import Settings


def mart_files() -> list[str]:
    folder = resources.files("pipelines").joinpath("sql", "marts")
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))


def refresh(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Rebuild every mart from the loaded tables.

    Not one transaction: readers never read the working database (they read the published
    snapshot, which is copied only after the marts are complete), and a run that dies here
    leaves its publication pending, so the next run computes the marts again. Statement by
    statement, DuckDB frees each replaced temp table at once; inside one transaction it would
    keep every chunk's facts until the commit (tens of GB at national scale)."""
    folder = resources.files("pipelines").joinpath("sql", "marts")
    for name in mart_files():
        con.execute(folder.joinpath(name).read_text(encoding="utf-8"))
    indicators.refresh_marts(con, settings)
