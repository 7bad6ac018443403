"""Downloads (analysts): pick indicator, year, as-of and breakdown; preview; download files
that equal `rehab-monitor export` for the same choice (the same function writes both)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from dashboards.auth import Scope
from dashboards.i18n import LANGUAGES, name
from dashboards.queries import export_selection, meta
from pipelines.ops import accounts
from pipelines.outputs.export import readable
from pipelines.outputs.tables import write_table

FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/octet-stream",
}


def indicator_options(scope: Scope, programme: str | None, lang: str, current: str | None):
    info = meta(scope)
    if info is None or programme not in info.indicators:
        return [], None
    codes = info.indicators[programme]
    options = [{"label": name(info.indicator_names[c], lang), "value": c} for c in codes]
    return options, current if current in codes else codes[0]


def selection(scope: Scope, indicator, programme, year, as_of, by):
    """The exported table for the page's choice (the export command's rows, cut to the
    user's scope)."""
    if not (indicator and programme and year):
        raise ValueError("incomplete choice")
    return export_selection(
        scope,
        indicator,
        programme,
        int(year),
        date.fromisoformat(as_of[:10]) if as_of else None,
        by or "district",
    )


def download_file(
    scope: Scope, fmt: str, indicator, programme, year, as_of, by, for_people: bool = False,
    lang: str | None = "zh",
) -> Path:  # fmt: skip
    """Write the chosen table in `fmt` to a temporary file named after the choice (with
    `for_people`: headers in `lang` and percentages); the download is audited."""
    df = selection(scope, indicator, programme, year, as_of, by)
    folder = Path(tempfile.mkdtemp(prefix="rehab-export-"))
    stamp = df.item(0, "as_of") if df.height else year
    name = f"{programme}_{indicator}_{year}_{by}_{stamp}.{fmt}"
    accounts.audit(scope.settings, scope.user, "download", name, f"rows={df.height}", scope.ip)
    lang = lang if lang in LANGUAGES else "zh"
    table = readable(df, lang) if for_people and fmt != "parquet" else df
    return write_table(table, fmt, folder / name, sheet=indicator[:31])
