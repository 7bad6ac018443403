"""The scorecard page's table and its Excel file: `scorecard_data`, formatted."""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path

from dash import dcc, html

from dashboards.auth import Scope
from dashboards.components.help import indicator_help
from dashboards.i18n import name, t
from dashboards.queries import ScorecardData, scorecard_data
from dashboards.views.supervision import open_path
from pipelines.ops import accounts
from pipelines.outputs import scorecard
from pipelines.outputs.formatting import (
    STATUS_COLOURS,
    STATUS_TEXT_COLOURS,
    status_name,
    value_text,
)


def column_label(data: ScorecardData, column: dict, lang: str) -> str:
    programme = next(p for p in data.meta.programmes if p["code"] == column["programme"])
    indicator = data.meta.indicator_names[column["indicator"]]
    return f"{name(programme, lang)} · {name(indicator, lang)}"


def grid(data: ScorecardData, lang: str) -> tuple[list[dict], list[dict], list[dict]]:
    """(columnDefs, rowData, pinned city row) for dash-ag-grid: per indicator a group of value
    (sortable by the number, shown as text on its status colour), rank and change."""
    columns = [{"field": "unit", "headerName": t("col.district", lang), "pinned": "left",
                "width": 130, "sortable": True}]  # fmt: skip
    for i, column in enumerate(data.columns):
        value = {
            "field": f"c{i}_v",
            "headerName": t("scorecard.value", lang),
            "sortable": True,
            "width": 100,
            "valueFormatter": {"function": f"params.data.c{i}_t"},
            "cellStyle": {
                "styleConditions": [
                    {"condition": f"params.data.c{i}_s == '{s}'",
                     "style": {"backgroundColor": c, "color": STATUS_TEXT_COLOURS[s]}}
                    for s, c in STATUS_COLOURS.items()
                ]
            },
            "tooltipField": f"c{i}_status",
        }  # fmt: skip
        columns.append(
            {
                "headerName": column_label(data, column, lang),
                "headerTooltip": indicator_help(
                    data.meta.indicator_names[column["indicator"]],
                    lang,
                    programme=next(
                        p for p in data.meta.programmes if p["code"] == column["programme"]
                    ),
                    lagging_points=data.meta.lagging_points,
                ),
                "children": [
                    value,
                    {
                        "field": f"c{i}_r",
                        "headerName": t("scorecard.rank", lang),
                        "width": 72,
                        "sortable": True,
                    },
                    {"field": f"c{i}_c", "headerName": t("scorecard.change", lang), "width": 90},
                ],
            }
        )
    by_key = {
        (r["unit_code"], r["programme"], r["indicator"]): r
        for r in data.cells.iter_rows(named=True)
    }
    rows = []
    for unit in data.units:
        row = {"unit": unit["name"], "code": unit["code"]}
        for i, column in enumerate(data.columns):
            cell = by_key.get((unit["code"], column["programme"], column["indicator"]))
            if cell is None:
                continue
            row |= {
                f"c{i}_v": cell["value"],
                f"c{i}_t": value_text(cell["value"], cell["unit"]),
                f"c{i}_s": cell["status"],
                f"c{i}_status": status_name(cell["status"], lang),
                f"c{i}_r": cell["rank"],
                f"c{i}_c": scorecard.change_text(cell["change"], cell["unit"]),
            }
        rows.append(row)
    city = [r for r in rows if r["code"] == "city"]
    return columns, [r for r in rows if r["code"] != "city"], city


def scorecard_file(
    scope: Scope, year: int, as_of: date | None, every_indicator: bool, lang: str
) -> Path | None:
    """The scorecard as Excel with the status colours (audited), or None without data."""
    data = scorecard_data(scope, year, as_of, every_indicator)
    if data is None:
        return None
    title = t("scorecard.file_title", lang, name=data.meta.jurisdiction, year=data.year,
              as_of=data.as_of.isoformat())  # fmt: skip
    columns = [{**c, "label": column_label(data, c, lang)} for c in data.columns]
    folder = Path(tempfile.mkdtemp(prefix="rehab-scorecard-"))
    path = folder / f"scorecard_{data.year}_{data.as_of:%Y%m%d}.xlsx"
    scorecard.write_xlsx(path, title, columns, data.units, data.cells, lang)
    accounts.audit(scope.settings, scope.user, "download", path.name,
                   f"scorecard year={year} as_of={data.as_of}", scope.ip)  # fmt: skip
    return path


def supervise_link(
    data: ScorecardData | None, district: str | None, column_id: str | None, lang: str
) -> html.P | None:
    """For a clicked district cell (column "c3_v" …): the link that opens a 督办 item for that
    district and the column's programme and indicator."""
    match = re.fullmatch(r"c(\d+)_[a-z]+", column_id or "")
    if data is None or district not in data.meta.units:
        return None
    index = int(match[1]) if match else 0
    column = data.columns[index] if index < len(data.columns) else data.columns[0]
    indicator = name(data.meta.indicator_names[column["indicator"]], lang)
    label = t("supervision.open_for", lang, district=data.meta.units[district], indicator=indicator)
    return html.P(
        dcc.Link(
            label,
            href=open_path(district, column["programme"], column["indicator"], "scorecard"),
            id="scorecard-supervise-link",
        )
    )
