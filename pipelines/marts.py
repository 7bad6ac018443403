"""Marts: the published summaries every page, export and bulletin reads.

Each `pipelines/sql/marts/*.sql` file is run in name order inside one transaction, so a
reader never sees half-built marts.
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
    """Rebuild every mart from the loaded tables."""
    folder = resources.files("pipelines").joinpath("sql", "marts")
    con.execute("begin transaction")
    try:
        for name in mart_files():
            con.execute(folder.joinpath(name).read_text(encoding="utf-8"))
        indicators.refresh_marts(con, settings)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
