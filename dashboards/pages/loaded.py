"""Loaded data: what the published snapshot holds, per district and dataset."""

from __future__ import annotations

import dash
from dash import Input, Output, callback, html

from dashboards.auth import current_scope
from dashboards.i18n import page_title
from dashboards.views.denied import denied_view
from dashboards.views.loaded import loaded_view

dash.register_page(__name__, path="/loaded", title=page_title("nav.loaded"))


def layout(**_kwargs) -> html.Div:
    if not current_scope().allows("loaded"):
        return denied_view()
    return html.Div(id="loaded-page")


@callback(Output("loaded-page", "children"), Input("shell-lang", "value"))
def _render(lang):
    return loaded_view(current_scope("loaded"), lang or "zh")
