"""What a page shows to a user whose role does not reach it."""

from __future__ import annotations

from dash import dcc, html

from dashboards.i18n import t


def denied_view() -> html.Div:
    return html.Div(
        [html.P(t("access.denied"), id="access-denied"), dcc.Link(t("district.back"), href="/")],
        className="panel",
    )
