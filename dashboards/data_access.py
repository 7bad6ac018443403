"""Reading the published snapshot for the app: one place, plain functions tests call."""

from __future__ import annotations

import polars as pl

from pipelines import store
from pipelines.db import frame
from pipelines.regions import jurisdiction
from pipelines.settings import Settings


def loaded_overview(settings: Settings) -> dict:
    """What the published snapshot holds: per dataset and district row counts, latest run."""
    pointer = store.published(settings)
    if pointer is None:
        return {"published": None}
    juris = jurisdiction(settings.jurisdiction)
    con = store.connect_published(settings)
    try:
        summary = frame(
            con,
            """
            select dataset, district_code, sum(rows) as rows, max(latest_date) as latest_date
            from load_summary
            group by all
            order by dataset, district_code
            """,
        )
        run = frame(
            con,
            """
            select run_id, started_at, finished_at, status, files_loaded, files_skipped,
                   files_refused, rows_read, rows_loaded, rows_rejected
            from runs
            where published_snapshot is not null
            order by run_id desc
            limit 1
            """,
        )
    finally:
        con.close()
    summary = summary.with_columns(
        pl.col("district_code")
        .replace_strict({u.code: u.name for u in juris.units}, default=pl.col("district_code"))
        .alias("district_name")
    )
    return {
        "published": pointer,
        "jurisdiction": juris.name,
        "summary": summary,
        "run": run.to_dicts()[0] if run.height else None,
    }
