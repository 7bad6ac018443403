"""Home: what has been loaded and published (the overview page replaces it)."""

from __future__ import annotations

import dash
from dash import html

from dashboards.data_access import loaded_overview
from dashboards.i18n import t
from dashboards.state import current_settings

dash.register_page(__name__, path="/", title="康复目标监测")

_DATASETS = ("cases", "services", "institutions", "staff")


def layout(**_kwargs) -> html.Div:
    info = loaded_overview(current_settings())
    if info["published"] is None:
        return html.Div([html.H2(t("home.title")), html.P(t("home.empty"))], id="home-page")
    summary = info["summary"]
    run = info["run"] or {}
    rows = [
        html.Tr([html.Td(r["district_name"]), html.Td(r["district_code"]),
                 *[html.Td(f"{r.get(d, 0) or 0:,}") for d in _DATASETS]])
        for r in summary.pivot(on="dataset", index=["district_code", "district_name"], values="rows")
        .sort("district_code")
        .to_dicts()
    ]  # fmt: skip
    return html.Div(
        [
            html.H2(f"{info['jurisdiction']} · {t('home.title')}"),
            html.P(
                f"{t('home.run')} {run.get('run_id')} · {run.get('finished_at')} · "
                f"{t('home.rows_loaded')} {run.get('rows_loaded', 0):,} · "
                f"{t('home.rows_rejected')} {run.get('rows_rejected', 0):,}",
                id="home-run",
            ),
            html.Table(
                [
                    html.Thead(
                        html.Tr(
                            [html.Th(t("home.district")), html.Th(t("home.code"))]
                            + [html.Th(t(f"dataset.{d}")) for d in _DATASETS]
                        )
                    ),
                    html.Tbody(rows),
                ],
                id="home-table",
                className="plain-table",
            ),
        ],
        id="home-page",
    )
