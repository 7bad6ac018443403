"""Downloads (analysts): pick indicator, year, as-of and breakdown; preview; download files
that equal `rehab-monitor export` for the same choice (the same function writes both)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from dashboards.i18n import name
from dashboards.queries import meta
from pipelines.export import export_frame
from pipelines.exporting import write_table
from pipelines.settings import Settings

FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/octet-stream",
}


def indicator_options(settings: Settings, programme: str | None, lang: str, current: str | None):
    info = meta(settings)
    if info is None or programme not in info.indicators:
        return [], None
    codes = info.indicators[programme]
    options = [{"label": name(info.indicator_names[c], lang), "value": c} for c in codes]
    return options, current if current in codes else codes[0]


def selection(settings: Settings, indicator, programme, year, as_of, by):
    """The exported table for the page's choice (same function as the export command)."""
    if not (indicator and programme and year):
        raise ValueError("incomplete choice")
    return export_frame(
        settings,
        indicator,
        programme,
        int(year),
        date.fromisoformat(as_of[:10]) if as_of else None,
        by or "district",
    )


def download_file(settings: Settings, fmt: str, indicator, programme, year, as_of, by) -> Path:
    """Write the chosen table in `fmt` to a temporary file named after the choice."""
    df = selection(settings, indicator, programme, year, as_of, by)
    folder = Path(tempfile.mkdtemp(prefix="rehab-export-"))
    stamp = df.item(0, "as_of") if df.height else year
    return write_table(
        df, fmt, folder / f"{programme}_{indicator}_{year}_{by}_{stamp}.{fmt}", sheet=indicator[:31]
    )
