"""The masked follow-up list of a district (district users only, with a reason, audited)."""

from __future__ import annotations

import polars as pl
from dash import dcc, html

from dashboards.auth import Scope
from dashboards.i18n import t
from dashboards.queries import PERSON_LISTS, follow_up_persons


def persons_panel(lang: str) -> html.Div:
    """The controls: which list, the reason, the button; the list appears below."""
    return html.Div(
        [
            html.H2(t("persons.title", lang)),
            html.P(t("persons.hint", lang), className="hint"),
            html.Div(
                [
                    dcc.Dropdown(
                        id="persons-rule",
                        options=[{"label": t(f"rule.{r}", lang), "value": r} for r in PERSON_LISTS],
                        value=PERSON_LISTS[0],
                        clearable=False,
                        style={"width": "220px"},
                    ),
                    dcc.Input(
                        id="persons-reason",
                        type="text",
                        maxLength=200,
                        placeholder=t("persons.reason", lang),
                        style={"width": "360px"},
                    ),
                    html.Button(t("persons.show", lang), id="persons-show", className="download"),
                ],
                className="controls-row",
            ),
            html.Div(id="persons-result"),
        ],
        className="panel",
        id="persons-panel",
    )


def persons_table(
    scope: Scope, rule: str, programme: str | None, reason: str | None, lang: str
) -> html.Div | html.P:
    """The list for the scope's district; refuses (message) without a reason."""
    try:
        rows = follow_up_persons(scope, rule, programme, reason)
    except ValueError:
        return html.P(t("persons.need_reason", lang), className="login-error", id="persons-error")
    if rows.is_empty():
        return html.P(t("persons.none", lang), id="persons-none")
    unit = {"working_days": t("persons.working_days", lang), "days": t("persons.days", lang)}
    header = ["case_id", "name", "id", "township", "programme", "since", "waiting"]
    body = [
        html.Tr([html.Td(r["case_id"]), html.Td(r["name_masked"]), html.Td(r["id_masked"]),
                 html.Td(r["township"] or "—"), html.Td(r["programme"]), html.Td(r["since"].isoformat()),
                 html.Td(f"{r['waiting']}{unit[r['waiting_unit']]}", className="num")])
        for r in rows.with_columns(pl.col("waiting").cast(pl.Int64)).iter_rows(named=True)
    ]  # fmt: skip
    return html.Div(
        [
            html.P(t("persons.count", lang, n=rows.height), className="hint"),
            html.Table(
                [
                    html.Thead(html.Tr([html.Th(t(f"persons.{h}", lang)) for h in header])),
                    html.Tbody(body),
                ],
                className="plain-table",
                id="persons-table",
            ),
        ]
    )
