"""Loaded data: what the published snapshot holds, per district and dataset."""

from __future__ import annotations

import dash
from dash import Input, Output, callback, html

from dashboards.views.loaded import loaded_view

dash.register_page(__name__, path="/loaded", title="已导入数据 · 康复目标监测")


def layout(**_kwargs) -> html.Div:
    return html.Div(id="loaded-page")


@callback(Output("loaded-page", "children"), Input("shell-lang", "value"))
def _render(lang):
    return loaded_view(lang or "zh")
