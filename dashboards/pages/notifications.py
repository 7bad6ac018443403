"""Notifications (进度提醒): the feed with filters; visiting it marks everything as seen."""

from __future__ import annotations

import dash
from dash import Input, Output, callback, dcc, html

from dashboards.auth import current_scope
from dashboards.i18n import page_title, t
from dashboards.queries import unit_names
from dashboards.views.notifications import feed_view, rule_options

dash.register_page(__name__, path="/notifications", title=page_title("nav.notifications"))


def layout(**_kwargs) -> html.Div:
    names = unit_names(current_scope())
    districts = [{"label": t("notify.all_districts"), "value": ""}] + [
        {"label": n, "value": c} for c, n in sorted(names.items())
    ]
    return html.Div(
        [
            html.H2(t("notify.title"), id="notify-title"),
            html.Div(
                [
                    dcc.RadioItems(id="notify-status", value="open", inline=True),
                    dcc.Dropdown(
                        id="notify-rule", value="", clearable=False, style={"width": "200px"}
                    ),
                    dcc.Dropdown(
                        id="notify-district",
                        options=districts,
                        value="",
                        clearable=False,
                        style={"width": "180px"},
                    ),
                ],
                className="controls-row",
            ),
            dcc.Loading(html.Div(id="notify-feed")),
        ],
        id="notify-page",
    )


@callback(
    Output("notify-status", "options"),
    Output("notify-rule", "options"),
    Output("notify-title", "children"),
    Input("shell-lang", "value"),
)
def _labels(lang):
    lang = lang or "zh"
    current_scope()
    statuses = [
        {"label": t(f"notify.status.{s}", lang), "value": s} for s in ("open", "resolved", "all")
    ]
    return statuses, rule_options(lang), t("notify.title", lang)


@callback(
    Output("notify-feed", "children"),
    Input("notify-status", "value"),
    Input("shell-programme", "value"),
    Input("shell-year", "value"),
    Input("notify-district", "value"),
    Input("notify-rule", "value"),
    Input("shell-lang", "value"),
)
def _feed(status, programme, year, district, rule, lang):
    return feed_view(current_scope(), status, programme, district, rule, lang or "zh", year)
