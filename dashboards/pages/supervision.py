"""督办 (supervision items): the list of items the user may see, and for the office the form
that opens one from a notification or a district row (figures frozen from the snapshot)."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboards.auth import current_scope
from dashboards.i18n import page_title, t
from dashboards.queries import open_supervision, supervision_draft
from dashboards.views.supervision import deadline_of, draft_form, list_view
from pipelines.ops.supervision import SupervisionError

dash.register_page(__name__, path="/supervision", title=page_title("nav.supervision"))

_DRAFT_KEYS = ("notification", "district", "programme", "indicator", "origin")


def layout(**kwargs) -> html.Div:
    current_scope("supervision")
    query = {k: str(kwargs[k])[:300] for k in _DRAFT_KEYS if kwargs.get(k)}
    return html.Div(
        [
            dcc.Store(id="supervision-query", data=query),
            dcc.Location(id="supervision-go", refresh=True),
            html.H2(t("supervision.title"), id="supervision-heading"),
            html.P(t("supervision.hint"), className="hint", id="supervision-hint"),
            html.Div(id="supervision-new"),
            dcc.Loading(html.Div(id="supervision-list")),
        ],
        id="supervision-page",
    )


@callback(
    Output("supervision-heading", "children"),
    Output("supervision-hint", "children"),
    Output("supervision-new", "children"),
    Output("supervision-list", "children"),
    Input("shell-lang", "value"),
    Input("supervision-query", "data"),
)
def _render(lang, query):
    lang = lang or "zh"
    scope = current_scope("supervision")
    form = None
    if query and scope.allows("supervision.manage"):
        draft = supervision_draft(scope, **{k: query.get(k) for k in _DRAFT_KEYS})
        form = draft_form(scope, draft, lang) if draft else html.P(t("supervision.unknown", lang))
    return t("supervision.title", lang), t("supervision.hint", lang), form, list_view(scope, lang)


@callback(
    Output("supervision-open-result", "children"),
    Output("supervision-go", "href"),
    Input("supervision-submit", "n_clicks"),
    State("supervision-query", "data"),
    State("supervision-action", "value"),
    State("supervision-deadline", "date"),
    State("supervision-responsible", "value"),
    State("shell-lang", "value"),
    prevent_initial_call=True,
)
def _open(clicks, query, action, deadline, responsible, lang):
    scope = current_scope("supervision.manage")
    draft = supervision_draft(scope, **{k: (query or {}).get(k) for k in _DRAFT_KEYS})
    day = deadline_of(deadline)
    if not clicks or draft is None or day is None:
        return html.P(t("supervision.unknown", lang or "zh"), className="login-error"), no_update
    try:
        item_id = open_supervision(scope, draft, action, day, responsible)
    except SupervisionError as exc:
        return html.P(str(exc), className="login-error", id="supervision-error"), no_update
    return no_update, f"/supervision/{item_id}"
