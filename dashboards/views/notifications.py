"""The notification feed as a table, filtered; each row links to the page with the detail."""

from __future__ import annotations

from dash import dcc, html

from dashboards.auth import Scope
from dashboards.i18n import t
from dashboards.queries import notifications, unit_names
from dashboards.views.supervision import open_path
from pipelines.outputs.notify import RULES

# A page lists at most this many (the newest); filters reach the rest.
MAX_ROWS = 500


def rule_options(lang: str) -> list[dict]:
    return [{"label": t("notify.all_rules", lang), "value": ""}] + [
        {"label": t(f"rule.{r}", lang), "value": r} for r in RULES
    ]


# The notifications an office may turn into a 督办 item: a district falling short.
SUPERVISED_RULES = ("progress_lagging", "progress_behind", "review_overdue", "referral_waiting",
                    "settlement_missing")  # fmt: skip


def _links(scope: Scope, row: dict, lang: str) -> list:
    """The detail page, and for the office a 督办 item opened from this notification."""
    links = [dcc.Link(t("notify.detail", lang), href=row["link"] or "/")]
    if (scope.allows("supervision.manage") and row["rule"] in SUPERVISED_RULES
            and row["district_code"] and row["programme"]):  # fmt: skip
        indicator = row["subject"] if row["rule"].startswith("progress_") else None
        href = open_path(row["district_code"], row["programme"], indicator, row["rule"])
        links += [" · ", dcc.Link(t("supervision.open_link", lang), href=href,
                                  className="notify-supervise")]  # fmt: skip
    return links


def feed_view(
    scope: Scope,
    status: str,
    programme: str | None,
    district: str | None,
    rule: str | None,
    lang: str,
    year: int | None = None,
) -> html.Div:
    rows = notifications(
        scope, status or "open", programme or None, district or None, rule or None, year
    )
    names = unit_names(scope)
    if rows.is_empty():
        return html.P(t("notify.none", lang), id="notify-empty")
    total = rows.height
    rows = rows.head(MAX_ROWS)
    message = "message_zh" if lang == "zh" else "message_en"
    header = [
        "notify.first_seen",
        "notify.rule",
        "notify.district",
        "notify.message",
        "notify.status",
        "notify.detail",
    ]
    body = [
        html.Tr(
            [
                html.Td(r["first_seen_at"].strftime("%Y-%m-%d %H:%M")),
                html.Td(t(f"rule.{r['rule']}", lang)),
                html.Td(names.get(r["district_code"] or "", "—")),
                html.Td(r[message]),
                html.Td(t(f"notify.status.{r['status']}", lang)),
                html.Td(_links(scope, r, lang)),
            ],
            className=f"notify-{r['rule']}",
        )
        for r in rows.iter_rows(named=True)
    ]
    table = html.Table(
        [html.Thead(html.Tr([html.Th(t(h, lang)) for h in header])), html.Tbody(body)],
        className="plain-table",
        id="notify-table",
    )
    if total <= MAX_ROWS:
        return table
    more = t("notify.more", lang, n=f"{total:,}", shown=MAX_ROWS)
    return html.Div([html.P(more, className="hint", id="notify-more"), table])
