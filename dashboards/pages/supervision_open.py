"""Opening a 督办 item (office): for a district, programme and indicator, reached from a
notification (origin: its rule), a scorecard cell or a district page; the figures shown are
frozen into the item. The path carries the choice (the header rewrites the query string)."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboards.auth import current_scope
from dashboards.i18n import page_title, t
from dashboards.queries import open_supervision, supervision_draft
from dashboards.views.supervision import deadline_of, draft_form
from pipelines.ops.supervision import SupervisionError
from pipelines.outputs.notify import RULES

dash.register_page(
    __name__,
    path_template="/supervision/open/<district>/<programme>/<indicator>/<origin>",
    title=page_title("nav.supervision"),
)


def _draft(scope, choice: dict | None):
    choice = choice or {}
    origin = str(choice.get("origin") or "")
    return supervision_draft(
        scope, district=choice.get("district"), programme=choice.get("programme"),
        indicator=choice.get("indicator"), origin=origin if origin not in RULES else None,
        rule=origin if origin in RULES else None,
    )  # fmt: skip


def layout(district=None, programme=None, indicator=None, origin=None, **_kwargs) -> html.Div:
    current_scope("supervision.manage")
    choice = {"district": district, "programme": programme, "indicator": indicator,
              "origin": origin}  # fmt: skip
    return html.Div(
        [
            dcc.Store(id="supervision-choice", data=choice),
            dcc.Location(id="supervision-go", refresh=True),
            html.Div(id="supervision-new"),
        ],
        id="supervision-open-page",
    )


@callback(
    Output("supervision-new", "children"),
    Input("shell-lang", "value"),
    Input("supervision-choice", "data"),
)
def _render(lang, choice):
    lang = lang or "zh"
    scope = current_scope("supervision.manage")
    draft = _draft(scope, choice)
    if draft is None:
        return html.P(t("supervision.unknown", lang), id="supervision-unknown")
    return draft_form(scope, draft, lang)


@callback(
    Output("supervision-open-result", "children"),
    Output("supervision-go", "href"),
    Input("supervision-submit", "n_clicks"),
    State("supervision-choice", "data"),
    State("supervision-action", "value"),
    State("supervision-deadline", "date"),
    State("supervision-responsible", "value"),
    State("shell-lang", "value"),
    prevent_initial_call=True,
)
def _open(clicks, choice, action, deadline, responsible, lang):
    scope = current_scope("supervision.manage")
    draft = _draft(scope, choice)
    day = deadline_of(deadline)
    if not clicks or draft is None or day is None:
        return html.P(t("supervision.unknown", lang or "zh"), className="login-error"), no_update
    try:
        item_id = open_supervision(scope, draft, action, day, responsible)
    except SupervisionError as exc:
        return html.P(str(exc), className="login-error", id="supervision-error"), no_update
    return no_update, f"/supervision/item/{item_id}"
