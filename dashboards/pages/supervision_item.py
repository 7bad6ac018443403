"""One 督办 item: figures then and now, its history, and the next step: the district answers
(with an attachment), the office closes (销号) or returns it. Another district's item is
refused on the server."""

from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, callback, dcc, html, no_update

from dashboards.auth import current_scope
from dashboards.i18n import page_title, t
from dashboards.queries import answer_supervision, decide_supervision, supervision_attachment
from dashboards.views.supervision import item_view
from pipelines.ops.supervision import SupervisionError

dash.register_page(
    __name__, path_template="/supervision/item/<item_id>", title=page_title("nav.supervision")
)


def _item_id(text) -> int | None:
    return int(text) if str(text or "").isdigit() else None


def layout(item_id: str | None = None, **_kwargs) -> html.Div:
    current_scope("supervision")
    return html.Div(
        [dcc.Store(id="supervision-item", data=_item_id(item_id)), dcc.Store(id="supervision-answered"),
         dcc.Store(id="supervision-decided"),
         dcc.Download(id="supervision-file"), dcc.Loading(html.Div(id="supervision-item-content"))],
        id="supervision-item-page",
    )  # fmt: skip


@callback(
    Output("supervision-item-content", "children"),
    Input("supervision-item", "data"),
    Input("supervision-answered", "data"),
    Input("supervision-decided", "data"),
    Input("shell-lang", "value"),
)
def _render(item_id, _answered, _decided, lang):
    scope = current_scope("supervision")
    try:
        return item_view(scope, _item_id(item_id) or 0, lang or "zh")
    except FileNotFoundError:
        return html.P(t("supervision.missing", lang or "zh"), id="supervision-missing")


@callback(
    Output("supervision-upload-name", "children"),
    Input("supervision-upload", "filename"),
    prevent_initial_call=True,
)
def _picked(filename):
    current_scope("supervision.answer")
    return html.Span(filename or "", className="data-text")


@callback(
    Output("supervision-answer-result", "children"),
    Output("supervision-answered", "data"),
    Input("supervision-answer-submit", "n_clicks"),
    State("supervision-item", "data"),
    State("supervision-report", "value"),
    State("supervision-upload", "filename"),
    State("supervision-upload", "contents"),
    prevent_initial_call=True,
)
def _answer(clicks, item_id, report, filename, contents):
    scope = current_scope("supervision.answer")
    if not clicks:
        return no_update, no_update
    try:
        answer_supervision(scope, _item_id(item_id) or 0, report, filename, contents)
    except SupervisionError as exc:
        return html.P(str(exc), className="login-error", id="supervision-error"), no_update
    return no_update, f"answered-{clicks}"


@callback(
    Output("supervision-decision-result", "children"),
    Output("supervision-decided", "data"),
    Input("supervision-close", "n_clicks"),
    Input("supervision-return", "n_clicks"),
    State("supervision-item", "data"),
    State("supervision-comment", "value"),
    prevent_initial_call=True,
)
def _decide(close_clicks, return_clicks, item_id, comment):
    scope = current_scope("supervision.manage")
    accept = dash.ctx.triggered_id == "supervision-close"
    if not (close_clicks or return_clicks):
        return no_update, no_update
    try:
        decide_supervision(scope, _item_id(item_id) or 0, accept, comment)
    except SupervisionError as exc:
        return html.P(str(exc), className="login-error", id="supervision-error"), no_update
    return no_update, f"decided-{close_clicks}-{return_clicks}"


@callback(
    Output("supervision-file", "data"),
    Input({"type": "supervision-attachment", "index": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def _download(clicks):
    scope = current_scope("supervision")
    if not any(clicks or []) or not isinstance(dash.ctx.triggered_id, dict):
        return no_update
    name, content = supervision_attachment(scope, int(dash.ctx.triggered_id["index"]))
    return dcc.send_bytes(content, filename=name)
