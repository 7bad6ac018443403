"""Scorecard (计分卡): programmes × districts at one glance, for leaders and the joint-meeting
office; sortable, with the city row, downloadable as Excel with the colours."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboards.auth import current_scope
from dashboards.components.files import send_once
from dashboards.components.grids import grid_options
from dashboards.i18n import page_title, request_lang, t
from dashboards.queries import scorecard_data
from dashboards.state import parse_date
from dashboards.views.scorecard import grid, scorecard_file, supervise_link
from pipelines.outputs.formatting import STATUS_COLOURS, status_name

dash.register_page(__name__, path="/scorecard", title=page_title("nav.scorecard"))


def layout(**_kwargs) -> html.Div:
    current_scope()
    legend = [
        html.Span(
            status_name(s, request_lang()),
            className="pill",
            style={"background": c, "marginRight": "6px"},
        )
        for s, c in STATUS_COLOURS.items()
    ]
    return html.Div(
        [
            html.H2(t("scorecard.title"), id="scorecard-title"),
            html.Div(
                [
                    dcc.Checklist(
                        id="scorecard-every",
                        options=[{"label": t("scorecard.every"), "value": "every"}],
                        value=[],
                        inline=True,
                    ),
                    html.Button(t("scorecard.download"), id="scorecard-download", className="download"),
                    html.Span(legend, id="scorecard-legend"),
                ],
                className="controls-row",
            ),
            html.P(id="scorecard-note", className="hint"),
            dcc.Loading(
                dag.AgGrid(
                    id="scorecard-grid",
                    columnDefs=[],
                    rowData=[],
                    className="ag-theme-alpine",
                    style={"height": "520px"},
                    dashGridOptions=grid_options(tooltipShowDelay=300, enableCellTextSelection=True),
                    getRowId="params.data.code",
                )
            ),
            html.Div(id="scorecard-supervise"),
            dcc.Download(id="scorecard-file"),
        ],
        id="scorecard-page",
    )  # fmt: skip


@callback(
    Output("scorecard-grid", "columnDefs"),
    Output("scorecard-grid", "rowData"),
    Output("scorecard-grid", "dashGridOptions"),
    Output("scorecard-note", "children"),
    Input("shell-year", "value"),
    Input("shell-as-of-select", "value"),
    Input("scorecard-every", "value"),
    Input("shell-lang", "value"),
    Input("shell-snapshot", "data"),  # a newly published snapshot (targets saved, a run)
)
def _render(year, as_of, every, lang, _snapshot=None):
    lang = lang or "zh"
    data = scorecard_data(current_scope(), year, parse_date(as_of), "every" in (every or []))
    if data is None:
        return [], [], no_update, t("shell.nothing", lang)
    columns, rows, city = grid(data, lang)
    options = grid_options(lang, tooltipShowDelay=300, enableCellTextSelection=True,
                           pinnedBottomRowData=city)  # fmt: skip
    since = data.previous.isoformat() if data.previous else "—"
    note = t("scorecard.note", lang, as_of=data.as_of.isoformat(), since=since)
    return columns, rows, options, note


@callback(
    Output("scorecard-file", "data"),
    Input("scorecard-download", "n_clicks"),
    State("shell-year", "value"),
    State("shell-as-of-select", "value"),
    State("scorecard-every", "value"),
    State("shell-lang", "value"),
    prevent_initial_call=True,
)
def _download(_clicks, year, as_of, every, lang):
    path = scorecard_file(current_scope(), year, parse_date(as_of), "every" in (every or []),
                          lang or "zh")  # fmt: skip
    return send_once(path) if path else no_update


@callback(
    Output("scorecard-supervise", "children"),
    Input("scorecard-grid", "cellClicked"),
    State("shell-year", "value"),
    State("shell-as-of-select", "value"),
    State("scorecard-every", "value"),
    State("shell-lang", "value"),
    prevent_initial_call=True,
)
def _supervise(cell, year, as_of, every, lang):
    # A district's cell, clicked by the office: a link that opens a 督办 item for it.
    scope = current_scope()
    if not scope.allows("supervision.manage") or not cell:
        return None
    data = scorecard_data(scope, year, parse_date(as_of), "every" in (every or []))
    return supervise_link(data, cell.get("rowId"), cell.get("colId"), lang or "zh")
