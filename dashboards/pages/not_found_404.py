"""The page for an address the app does not have, in the user's language."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboards.i18n import page_title, t

dash.register_page(__name__, title=page_title("notfound.title"))


def layout(**_kwargs) -> html.Div:
    return html.Div(
        [
            html.H2(t("notfound.title"), id="notfound-title"),
            html.P(t("notfound.text")),
            dcc.Link(t("district.back"), href="/"),
        ],
        className="panel",
    )
