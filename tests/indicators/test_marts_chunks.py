"""The marts computed in chunks of periods (as at national scale) equal the marts computed at
once."""

from __future__ import annotations

import shutil

import polars as pl

from pipelines.cli import main
from pipelines.indicators import compute
from pipelines.settings import load_settings
from pipelines.warehouse.db import connect_warehouse

TABLES = ("indicator_values", "indicator_breakdowns", "indicator_monthly")


def _marts(settings) -> dict[str, pl.DataFrame]:
    con = connect_warehouse(settings)
    try:
        compute.refresh_marts(con, settings)
        return {t: con.sql(f"select * from {t}").pl().sort(pl.all()) for t in TABLES}
    finally:
        con.close()


def test_chunked_marts_equal_the_whole(tmp_path, demo_inbox, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(demo_inbox, data / "inbox")
    assert main(["--data-dir", str(data), "pipeline", "run"]) == 0
    settings = load_settings(data, jurisdiction="211200")
    whole = _marts(settings)
    monkeypatch.setattr(compute, "CHUNK_PERSON_PERIODS", 1)  # one period per chunk
    con = connect_warehouse(settings)
    try:
        assert compute.chunk_size(con) == 1
    finally:
        con.close()
    chunked = _marts(settings)
    for table in TABLES:
        assert whole[table].height > 0
        assert (
            chunked[table]
            .drop("computed_at", strict=False)
            .equals(whole[table].drop("computed_at", strict=False))
        ), table
