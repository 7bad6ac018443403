"""Bulletins (进度通报): generate a Word bulletin for the programme and period, preview it,
download it; the archive lists every issued bulletin."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboards.auth import current_scope
from dashboards.i18n import page_title, t
from dashboards.queries import meta
from dashboards.views.bulletins import archive_table, generate, period_options
from dashboards.views.denied import denied_view
from pipelines.outputs.bulletin import ALL

dash.register_page(__name__, path="/bulletins", title=page_title("nav.bulletins"))


def layout(**_kwargs) -> html.Div:
    scope = current_scope()
    if not scope.allows("bulletins"):
        return denied_view()
    generating = {} if scope.allows("bulletins.generate") else {"display": "none"}
    return html.Div(
        [
            html.H2(t("bulletins.title"), id="bulletins-title"),
            html.Div(
                [
                    html.Div([html.Label(t("bulletins.period")), dcc.Dropdown(id="bulletins-period", clearable=False)]),
                    html.Div([html.Label(t("bulletins.issuer")), dcc.Input(id="bulletins-issuer", type="text", style={"width": "320px"})]),
                    dcc.RadioItems(id="bulletins-scope", value="programme", inline=True,
                                   options=[{"label": t("bulletins.scope.programme"), "value": "programme"},
                                            {"label": t("bulletins.scope.all"), "value": "all"}]),
                    html.Button(t("bulletins.generate"), id="bulletins-generate", className="download"),
                ],
                className="controls-row",
                style=generating,
            ),
            dcc.Loading(html.Div(id="bulletins-result")),
            html.H2(t("bulletins.archive"), style={"marginTop": "16px"}),
            html.Div(id="bulletins-archive-box"),
        ],
        id="bulletins-page",
    )  # fmt: skip


@callback(
    Output("bulletins-period", "options"),
    Output("bulletins-period", "value"),
    Input("shell-year", "value"),
)
def _periods(year):
    info = meta(current_scope("bulletins"))
    options = period_options(year, info.as_of if info else None)
    return options, (options[1]["value"] if len(options) > 1 else None)


@callback(
    Output("bulletins-result", "children"),
    Output("bulletins-archive-box", "children"),
    Input("bulletins-generate", "n_clicks"),
    Input("shell-lang", "value"),
    State("shell-programme", "value"),
    State("bulletins-period", "value"),
    State("bulletins-issuer", "value"),
    State("bulletins-scope", "value"),
)
def _generate(clicks, lang, programme, period, issuer, which):
    lang = lang or "zh"
    scope = current_scope("bulletins")
    if dash.ctx.triggered_id != "bulletins-generate" or not (programme and period):
        return no_update, archive_table(scope, lang)
    # "all programmes" or the header's programme; the user's scope is a different thing.
    name, paragraphs, pdf = generate(scope, ALL if which == ALL else programme, period, issuer)
    pages = (
        html.Iframe(src=f"/bulletins/file/{pdf}", id="bulletins-pdf", className="pdf-preview")
        if pdf
        else html.P(t("bulletins.no_pdf", lang), className="hint", id="bulletins-no-pdf")
    )
    result = html.Div(
        [
            html.A(
                f"{t('bulletins.download', lang)} {name}",
                href=f"/bulletins/file/{name}",
                id="bulletins-download",
            ),
            html.H3(t("bulletins.preview", lang)),
            pages,
            html.Details(
                [
                    html.Summary(t("bulletins.text", lang)),
                    html.Div([html.P(p) for p in paragraphs], className="panel",
                             id="bulletins-preview"),
                ],
                open=not pdf,
            ),
        ]
    )  # fmt: skip
    return result, archive_table(scope, lang)
