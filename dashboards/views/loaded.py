"""Loaded data: what the published snapshot holds, per district and dataset."""

from __future__ import annotations

from dash import html

from dashboards.auth import Scope
from dashboards.i18n import t
from dashboards.queries import loaded_overview

_DATASETS = ("cases", "services", "institutions", "staff")


def loaded_view(scope: Scope, lang: str) -> list:
    info = loaded_overview(scope)
    if info["published"] is None:
        return [html.H2(t("loaded.title", lang)), html.P(t("shell.nothing", lang))]
    run = info["run"] or {}
    table = info["summary"].pivot(
        on="dataset", index=["district_code", "district_name"], values="rows"
    )
    rows = [
        html.Tr([html.Td(r["district_name"] or t("loaded.no_district", lang)), html.Td(r["district_code"] or "—"),
                 *[html.Td(f"{r.get(d) or 0:,}", className="num") for d in _DATASETS]])
        for r in table.sort("district_code").to_dicts()
    ]  # fmt: skip
    return [
        html.H2(f"{info['jurisdiction']} · {t('loaded.title', lang)}"),
        html.P(
            f"{t('loaded.run', lang)} {run.get('run_id') or '—'} · {run.get('finished_at') or '—'} · "
            f"{t('loaded.rows_loaded', lang)} {run.get('rows_loaded', 0):,} · "
            f"{t('loaded.rows_rejected', lang)} {run.get('rows_rejected', 0):,}",
            id="loaded-run",
        ),
        html.Table(
            [
                html.Thead(html.Tr([html.Th(t("loaded.district", lang)), html.Th(t("loaded.code", lang))]
                                   + [html.Th(t(f"dataset.{d}", lang)) for d in _DATASETS])),
                html.Tbody(rows),
            ],
            id="loaded-table",
            className="plain-table",
        ),
    ]  # fmt: skip
