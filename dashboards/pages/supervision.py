"""督办 (supervision items): the items the user may see, newest first, with the figures when
each was opened and now, deadline and status."""

from __future__ import annotations

import dash
from dash import Input, Output, callback, dcc, html

from dashboards.auth import current_scope
from dashboards.i18n import page_title, t
from dashboards.views.supervision import list_view

dash.register_page(__name__, path="/supervision", title=page_title("nav.supervision"))


def layout(**_kwargs) -> html.Div:
    current_scope("supervision")
    return html.Div(
        [
            html.H2(t("supervision.title"), id="supervision-heading"),
            html.P(t("supervision.hint"), className="hint", id="supervision-hint"),
            dcc.Loading(html.Div(id="supervision-list")),
        ],
        id="supervision-page",
    )


@callback(
    Output("supervision-heading", "children"),
    Output("supervision-hint", "children"),
    Output("supervision-list", "children"),
    Input("shell-lang", "value"),
)
def _render(lang):
    lang = lang or "zh"
    scope = current_scope("supervision")
    return t("supervision.title", lang), t("supervision.hint", lang), list_view(scope, lang)
