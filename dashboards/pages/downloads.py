"""Downloads (analysts): pick indicator, year, as-of and breakdown; preview; download files
that equal `rehab-monitor export` for the same choice (the same function writes both)."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
import polars as pl
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboards.auth import current_scope
from dashboards.components.files import send_once
from dashboards.components.grids import grid_options
from dashboards.i18n import LANGUAGES, page_title, t
from dashboards.views.denied import denied_view
from dashboards.views.downloads import FORMATS, download_file, indicator_options, selection
from pipelines.outputs.export import BY, ExportError, readable

PREVIEW_ROWS = 5_000

dash.register_page(__name__, path="/downloads", title=page_title("nav.downloads"))


def layout(**_kwargs) -> html.Div:
    if not current_scope().allows("downloads"):
        return denied_view()
    current_scope("downloads")
    return html.Div(
        [
            html.H2(t("downloads.title"), id="downloads-title"),
            html.Div(
                [
                    html.Div([html.Label(t("downloads.indicator"), id="downloads-indicator-label"),
                              dcc.Dropdown(id="downloads-indicator", clearable=False)]),
                    html.Div([html.Label(t("downloads.as_of"), id="downloads-as-of-label"),
                              html.Span(id="downloads-as-of", className="hint")]),
                    html.Div([html.Label(t("downloads.by"), id="downloads-by-label"),
                              dcc.RadioItems(id="downloads-by", value="district", inline=True)]),
                    dcc.Checklist(id="downloads-readable", value=[], inline=True,
                                  options=[{"label": t("downloads.readable"), "value": "readable"}]),
                ],
                className="controls-row",
            ),
            html.Div(
                [html.Button(t(f"downloads.{f}"), id=f"downloads-{f}", className="download") for f in FORMATS]
                + [html.Span(id="downloads-count", className="hint")]
            ),
            dcc.Loading(dag.AgGrid(id="downloads-grid", columnDefs=[], rowData=[], className="ag-theme-alpine",
                                   style={"height": "480px", "marginTop": "10px"}, dashGridOptions=grid_options(enableCellTextSelection=True))),
            dcc.Download(id="downloads-file"),
        ],
        id="downloads-page",
    )  # fmt: skip


@callback(
    Output("downloads-indicator", "options"),
    Output("downloads-indicator", "value"),
    Output("downloads-by", "options"),
    Input("shell-programme", "value"),
    Input("shell-lang", "value"),
    State("downloads-indicator", "value"),
)
def _indicator_options(programme, lang, current):
    options, value = indicator_options(current_scope("downloads"), programme, lang or "zh", current)
    by = [{"label": t(f"downloads.by.{b}", lang or "zh"), "value": b} for b in BY]
    return options, value, by


@callback(
    Output("downloads-grid", "columnDefs"),
    Output("downloads-grid", "rowData"),
    Output("downloads-count", "children"),
    Output("downloads-as-of", "children"),
    Input("downloads-indicator", "value"),
    Input("shell-programme", "value"),
    Input("shell-year", "value"),
    Input("shell-as-of-select", "value"),
    Input("downloads-by", "value"),
    Input("downloads-readable", "value"),
    Input("shell-lang", "value"),
)
def _preview(indicator, programme, year, as_of, by, readable_choice, lang):
    try:
        df = selection(current_scope("downloads"), indicator, programme, year, as_of, by)
    except (ExportError, TypeError, ValueError):
        return [], [], "", ""
    shown = df.item(0, "as_of") if df.height else as_of
    if "readable" in (readable_choice or []):
        df = readable(df, lang if lang in LANGUAGES else "zh")
    # Every column, at its width: the grid scrolls sideways on a 1366 px screen.
    columns = [{"field": c, "headerName": c, "filter": True, "sortable": True, "minWidth": 110}
               for c in df.columns]  # fmt: skip
    # The grid previews; the download carries every row.
    rows = df.head(PREVIEW_ROWS).with_columns(pl.col(pl.Date).dt.to_string()).to_dicts()
    count = t("downloads.rows", lang or "zh", n=df.height)
    if df.height > PREVIEW_ROWS:
        count += t(
            "downloads.preview_cap", lang or "zh", shown=f"{PREVIEW_ROWS:,}", n=f"{df.height:,}"
        )
    return columns, rows, count, str(shown or "")


@callback(
    Output("downloads-file", "data"),
    Input("downloads-csv", "n_clicks"),
    Input("downloads-xlsx", "n_clicks"),
    Input("downloads-parquet", "n_clicks"),
    State("downloads-indicator", "value"),
    State("shell-programme", "value"),
    State("shell-year", "value"),
    State("shell-as-of-select", "value"),
    State("downloads-by", "value"),
    State("downloads-readable", "value"),
    State("shell-lang", "value"),
    prevent_initial_call=True,
)
def _download(_csv, _xlsx, _parquet, indicator, programme, year, as_of, by, readable_choice, lang):
    fmt = (dash.ctx.triggered_id or "").removeprefix("downloads-")
    if fmt not in FORMATS:
        return no_update
    path = download_file(current_scope("downloads"), fmt, indicator, programme, year, as_of, by,
                         "readable" in (readable_choice or []), lang)  # fmt: skip
    return send_once(path)
