"""Supervision items (督办): the list, the form that opens one, and one item with its history
and the next step the user's role may take."""

from __future__ import annotations

from datetime import date, timedelta

from dash import dcc, html

from dashboards.auth import Scope
from dashboards.components.formatting import status_text, value_text
from dashboards.i18n import name, t
from dashboards.queries import SupervisionDraft, meta, supervision_item, supervision_items
from dashboards.views.bulletins import period_label
from pipelines.outputs.bulletin.periods import period_choices

# The deadline a new item proposes: two weeks from today.
DEFAULT_DAYS = 14


def open_path(district: str, programme: str, indicator: str | None, origin: str) -> str:
    """The page that opens an item for this district row (origin: a notification's rule, or
    the page it comes from); the header rewrites the query string, so the path carries it."""
    return f"/supervision/open/{district}/{programme}/{indicator or 'headline'}/{origin}"


def status_label(status: str | None, lang: str) -> str:
    return t(f"supervision.status.{status}", lang) if status else "—"


def _names(scope: Scope, lang: str) -> tuple[dict, dict]:
    """Programme and indicator names in `lang`."""
    info = meta(scope)
    if info is None:
        return {}, {}
    return ({p["code"]: name(p, lang) for p in info.programmes},
            {c: name(r, lang) for c, r in info.indicator_names.items()})  # fmt: skip


def _figure(value, unit) -> str:
    return value_text(value, unit) if value is not None else "—"


def list_view(scope: Scope, lang: str) -> html.Div:
    """Every item the scope sees, newest first: figures then and now, deadline, status."""
    rows = supervision_items(scope)
    if not rows:
        return html.P(t("supervision.none", lang), id="supervision-empty")
    programmes, indicators = _names(scope, lang)
    units = meta(scope).units if meta(scope) else {}
    header = ["supervision.col.number", "supervision.col.district", "supervision.col.indicator",
              "supervision.col.then", "supervision.col.now", "supervision.col.deadline",
              "supervision.col.responsible", "supervision.col.status", "supervision.col.open"]  # fmt: skip
    body = [
        html.Tr(
            [
                html.Td(r["title"], className="data-text"),
                html.Td(units.get(r["district"], r["district"]), className="data-text"),
                html.Td(
                    f"{programmes.get(r['programme'], r['programme'])} · "
                    f"{indicators.get(r['indicator'], r['indicator'])}"
                ),
                html.Td(f"{_figure(r['value'], r['unit'])} ({r['as_of']})"),
                html.Td(_figure(r["value_now"], r["unit"])),
                html.Td(r["deadline"]),
                html.Td(r["responsible"], className="data-text"),
                html.Td(status_label(r["status"], lang), className=f"supervision-{r['status']}"),
                html.Td(dcc.Link(t("supervision.view", lang), href=f"/supervision/item/{r['id']}")),
            ],
            id=f"supervision-row-{r['id']}",
        )
        for r in rows
    ]
    return html.Table(
        [html.Thead(html.Tr([html.Th(t(h, lang)) for h in header])), html.Tbody(body)],
        className="plain-table",
        id="supervision-table",
    )


def _figures_line(figures: dict | None, unit_fallback: str | None, lang: str) -> str:
    if not figures:
        return t("supervision.no_figures", lang)
    unit = figures.get("unit") or unit_fallback
    return t("supervision.figures", lang, as_of=str(figures["as_of"]),
             value=_figure(figures["value"], unit), target=_figure(figures["target"], unit),
             expected=_figure(figures["expected"], unit),
             status=status_text(figures["status"], lang) if figures.get("status") else "—")  # fmt: skip


def draft_form(scope: Scope, draft: SupervisionDraft, lang: str) -> html.Div:
    """The form that opens an item for the draft's district, programme and indicator."""
    programmes, indicators = _names(scope, lang)
    deadline = scope.settings.current_date() + timedelta(days=DEFAULT_DAYS)
    return html.Div(
        [
            html.H3(t("supervision.new", lang)),
            html.P(
                [
                    html.Span(draft.district_name, className="data-text"),
                    " · ",
                    programmes.get(draft.programme, draft.programme),
                    " · ",
                    indicators.get(draft.indicator, draft.indicator),
                ],
                id="supervision-draft-what",
            ),
            html.P(_figures_line(draft.figures, None, lang), id="supervision-draft-figures"),
            html.Label(t("supervision.action", lang), htmlFor="supervision-action"),
            dcc.Textarea(id="supervision-action", style={"width": "100%", "height": "90px"}),
            html.Div(
                [
                    html.Label(t("supervision.deadline", lang), htmlFor="supervision-deadline"),
                    dcc.DatePickerSingle(
                        id="supervision-deadline",
                        date=deadline.isoformat(),
                        display_format="YYYY-MM-DD",
                        min_date_allowed=scope.settings.current_date().isoformat(),
                    ),
                    html.Label(
                        t("supervision.responsible", lang), htmlFor="supervision-responsible"
                    ),
                    dcc.Input(
                        id="supervision-responsible",
                        type="text",
                        debounce=False,
                        value=t(
                            "supervision.responsible_default", lang, district=draft.district_name
                        ),
                        style={"width": "320px"},
                    ),
                ],
                className="controls-row",
            ),
            html.Button(
                t("supervision.submit_open", lang), id="supervision-submit", className="download"
            ),
            html.Div(id="supervision-open-result"),
        ],
        className="panel",
        id="supervision-form",
    )


def _event_line(event: dict, lang: str) -> html.Li:
    parts = [
        html.Span(f"{event['at'].replace('T', ' ')} · ", className="data-text"),
        html.Span(event["user"], className="data-text"),
        " · ",
        html.Strong(t(f"supervision.event.{event['kind']}", lang)),
    ]
    if event["text"]:
        parts += ["：", html.Span(event["text"], className="data-text")]
    if event["attachment"]:
        parts += [" ", html.Button(
            [t("supervision.attachment", lang), " ", html.Span(event["attachment_name"], className="data-text")],
            id={"type": "supervision-attachment", "index": event["id"]}, className="file-button",
        )]  # fmt: skip
    return html.Li(parts, className=f"supervision-event-{event['kind']}")


def item_view(scope: Scope, item_id: int, lang: str) -> html.Div:
    """One item: what was required, figures then and now, the history, and the step the
    user's role may take next (answer for the district, close or return for the office)."""
    item, history = supervision_item(scope, item_id)
    programmes, indicators = _names(scope, lang)
    units = meta(scope).units if meta(scope) else {}
    unit = item["unit"]
    facts = [
        ("supervision.col.district", html.Span(units.get(item["district"], item["district"]), className="data-text")),
        ("supervision.col.indicator", f"{programmes.get(item['programme'], item['programme'])} · "
                                      f"{indicators.get(item['indicator'], item['indicator'])}"),
        ("supervision.col.then", f"{_figure(item['value'], unit)} ({item['as_of']}, "
                                 f"{t('supervision.target', lang)} {_figure(item['target'], unit)}, "
                                 f"{status_text(item['status_at_open'], lang) if item['status_at_open'] else '—'})"),
        ("supervision.col.now", f"{_figure(item['value_now'], unit)} ({item['as_of_now'] or '—'}, "
                                f"{status_text(item['status_now'], lang) if item['status_now'] else '—'})"),
        ("supervision.action", html.Span(item["action"], className="data-text")),
        ("supervision.col.deadline", item["deadline"]),
        ("supervision.col.responsible", html.Span(item["responsible"], className="data-text")),
        ("supervision.col.status", html.Span(status_label(item["status"], lang), id="supervision-status")),
    ]  # fmt: skip
    table = html.Table(
        [html.Tr([html.Th(t(k, lang)), html.Td(v)]) for k, v in facts],
        className="plain-table",
        id="supervision-facts",
    )
    children = [
        html.H2([html.Span(item["title"], className="data-text")], id="supervision-title"),
        table,
        html.H3(t("supervision.history", lang)),
        html.Ul([_event_line(e, lang) for e in history], id="supervision-history"),
    ]
    if scope.allows("supervision.answer") and item["state"] == "open":
        children.append(_answer_form(scope, lang))
    if scope.allows("supervision.manage") and item["state"] == "answered":
        children.append(_decision_form(lang))
    children.append(dcc.Link(t("supervision.back", lang), href="/supervision"))
    return html.Div(children)


def _answer_form(scope: Scope, lang: str) -> html.Div:
    return html.Div(
        [
            html.H3(t("supervision.answer", lang)),
            dcc.Textarea(id="supervision-report", style={"width": "100%", "height": "90px"}),
            dcc.Upload(
                id="supervision-upload",
                children=html.Div(t("supervision.upload", lang, mb=scope.settings.attachment_mb)),
                className="upload-box",
                multiple=False,
            ),
            html.Div(id="supervision-upload-name", className="hint"),
            html.Button(
                t("supervision.submit_answer", lang),
                id="supervision-answer-submit",
                className="download",
            ),
            html.Div(id="supervision-answer-result"),
        ],
        className="panel",
        id="supervision-answer-form",
    )


def _decision_form(lang: str) -> html.Div:
    return html.Div(
        [
            html.H3(t("supervision.decide", lang)),
            dcc.Textarea(id="supervision-comment", style={"width": "100%", "height": "70px"}),
            html.Button(t("supervision.close", lang), id="supervision-close", className="download"),
            html.Button(
                t("supervision.return", lang), id="supervision-return", className="download"
            ),
            html.Div(id="supervision-decision-result"),
        ],
        className="panel",
        id="supervision-decision-form",
    )


def deadline_of(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "")[:10])
    except ValueError:
        return None


def district_bulletin_choices(scope: Scope, year: int | None, lang: str) -> tuple[list, list]:
    """(districts, periods) a district bulletin can be made for: a district user's own, or
    every district and all of them as one zip for the office; the year's periods."""
    info = meta(scope)
    if info is None or year not in info.year_as_of:
        return [], []
    units = [{"label": n, "value": c} for c, n in sorted(info.units.items()) if scope.sees(c)]
    if scope.allows("bulletins.generate"):
        units.insert(0, {"label": t("district_bulletin.all", lang), "value": "all"})
    periods = [{"label": period_label(v, lang), "value": v}
               for v, _ in period_choices(year, info.year_as_of[year])]  # fmt: skip
    return units, periods
