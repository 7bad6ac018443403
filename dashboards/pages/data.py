"""Data (admin): upload files, see the validation report, download rejected rows, the run
history and the Excel templates districts fill in."""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, callback, dcc, html, no_update

from dashboards.auth import current_scope
from dashboards.components.files import send_once
from dashboards.i18n import page_title, t
from dashboards.queries import run_active
from dashboards.views.data import (
    history_view,
    latest_run_id,
    rejects_file,
    report_view,
    run_options,
    template_file,
    upload_files,
    upload_progress,
)
from dashboards.views.denied import denied_view
from schemas.contract import DATASETS

dash.register_page(__name__, path="/data", title=page_title("nav.data"))


def layout(**_kwargs) -> html.Div:
    scope = current_scope()
    if not scope.allows("data"):
        return denied_view()
    mb = scope.settings.upload_mb
    return html.Div(
        [
            html.H2(t("data.title"), id="data-title"),
            html.Div(
                [
                    html.H2(t("data.upload")),
                    html.P(t("data.kept" if scope.settings.keep_uploads else "data.removed"),
                           className="hint", id="data-upload-fate"),
                    dcc.Upload(html.Div(t("data.drop", mb=mb)), id="data-upload", multiple=True,
                               max_size=mb * 1024 * 1024, className="upload-box"),
                    dcc.Checklist(id="data-reapply", options=[{"label": t("data.reapply"), "value": "reapply"}],
                                  value=[], className="hint"),
                    dcc.Loading(html.Div(id="data-upload-result")),
                    html.P(id="data-progress", className="hint"),
                    dcc.Store(id="data-pending"),
                    dcc.Interval(id="data-poll", interval=1500, disabled=True),
                ],
                className="panel",
            ),
            html.Div(
                [
                    html.H2(t("data.report")),
                    html.Div(
                        [
                            dcc.Dropdown(id="data-run", clearable=False, style={"width": "520px"}),
                            html.Button(t("data.rejects_csv"), id="data-rejects-csv", className="download"),
                            html.Button(t("data.rejects_xlsx"), id="data-rejects-xlsx", className="download"),
                        ],
                        className="controls-row",
                    ),
                    html.Div(id="data-report"),
                    dcc.Download(id="data-rejects-file"),
                ],
                className="panel",
                style={"marginTop": "12px"},
            ),
            html.Div([html.H2(t("data.history")), html.Div(id="data-history-box")], className="panel",
                     style={"marginTop": "12px"}),
            html.Div(
                [
                    html.H2(t("data.templates")),
                    html.P(t("data.templates_hint"), className="hint"),
                    html.Div([html.Button(t(f"dataset.{d}"), id={"type": "data-template", "dataset": d},
                                          className="download") for d in DATASETS], className="controls-row"),
                    dcc.Download(id="data-template-file"),
                ],
                className="panel",
                style={"marginTop": "12px"},
            ),
        ],
        id="data-page",
    )  # fmt: skip


@callback(
    Output("data-upload-result", "children"),
    Output("data-pending", "data"),
    Output("data-poll", "disabled"),
    Output("data-progress", "children"),
    Input("data-upload", "contents"),
    State("data-upload", "filename"),
    State("data-reapply", "value"),
    State("shell-lang", "value"),
    prevent_initial_call=True,
)
def _upload(contents, names, reapply, lang):
    lang = lang or "zh"
    scope = current_scope("data")
    if not contents:
        return no_update, no_update, no_update, no_update
    before = latest_run_id(scope)
    busy = run_active(scope)
    again = isinstance(reapply, list) and "reapply" in reapply
    message, started = upload_files(scope, names, contents, lang, reapply=again)
    if not started:
        return message, None, True, ""
    note = t("data.waiting" if busy else "data.processing", lang)
    return message, {"after": before}, False, html.Span(note, id="data-processing")


@callback(
    Output("data-run", "options"),
    Output("data-run", "value"),
    Output("data-poll", "disabled", allow_duplicate=True),
    Output("data-history-box", "children"),
    Output("data-progress", "children", allow_duplicate=True),
    Input("data-poll", "n_intervals"),
    Input("shell-lang", "value"),
    State("data-pending", "data"),
    State("data-run", "value"),
    prevent_initial_call="initial_duplicate",
)
def _runs(_ticks, lang, pending, current):
    """The run choices; while an upload's run is pending, say which file it reads, then show
    its report (and clear the note)."""
    lang = lang or "zh"
    scope = current_scope("data")
    latest = latest_run_id(scope)
    options = run_options(scope, lang)
    if pending and latest <= pending["after"]:
        return options, current, False, no_update, upload_progress(scope, lang)
    value = latest if (pending or current is None) else current
    done = t("data.done", lang) if pending else no_update
    return options, value or None, True, history_view(scope, lang), done


@callback(
    Output("data-report", "children"),
    Input("data-run", "value"),
    Input("shell-lang", "value"),
)
def _report(run_id, lang):
    return report_view(current_scope("data"), run_id, lang or "zh")


@callback(
    Output("data-rejects-file", "data"),
    Input("data-rejects-csv", "n_clicks"),
    Input("data-rejects-xlsx", "n_clicks"),
    State("data-run", "value"),
    prevent_initial_call=True,
)
def _rejects(_csv, _xlsx, run_id):
    fmt = (dash.ctx.triggered_id or "").removeprefix("data-rejects-")
    if fmt not in ("csv", "xlsx") or not run_id:
        return no_update
    return send_once(rejects_file(current_scope("data"), int(run_id), fmt))


@callback(
    Output("data-template-file", "data"),
    Input({"type": "data-template", "dataset": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def _template(_clicks):
    trigger = dash.ctx.triggered_id
    if not trigger or not any(_clicks or []):
        return no_update
    return send_once(template_file(current_scope("data"), trigger["dataset"]))
