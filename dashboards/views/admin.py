"""Admin page: the users and the searchable, exportable audit log."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from dash import html

from dashboards.auth import Scope
from dashboards.i18n import t
from dashboards.queries import audit_lines, unit_names, user_list
from pipelines.ops import accounts
from pipelines.outputs.tables import write_table


def users_table(scope: Scope, lang: str) -> html.Table:
    names = unit_names(scope)
    header = ["admin.user", "admin.role", "admin.district", "admin.state"]
    rows = [
        html.Tr([html.Td(u.name, className="data-text"), html.Td(t(f"role.{u.role}", lang)),
                 html.Td(names.get(u.district, u.district) if u.district else "—"),
                 html.Td(t("admin.disabled" if u.disabled else "admin.active", lang))])
        for u in user_list(scope)
    ]  # fmt: skip
    return html.Table(
        [html.Thead(html.Tr([html.Th(t(h, lang)) for h in header])), html.Tbody(rows)],
        className="plain-table",
        id="admin-users",
    )


def action_options(lang: str) -> list[dict]:
    return [{"label": t("admin.all_actions", lang), "value": ""}] + [
        {"label": t(f"action.{a}", lang), "value": a} for a in accounts.AUDIT_ACTIONS
    ]


def audit_rows(scope: Scope, user, action, since, until, text, lang: str) -> list[dict]:
    """The audit lines for the grid, the action named in the page's language."""
    rows = audit_lines(
        scope, user=user or None, action=action or None, since=since, until=until, text=text or None
    )
    return [
        {**r, "action_name": t(f"action.{r['action']}", lang) if r["action"] in accounts.AUDIT_ACTIONS else r["action"]}
        for r in rows.to_dicts()
    ]  # fmt: skip


def audit_export(scope: Scope, fmt: str, user, action, since, until, text) -> Path:
    """The filtered audit log as CSV or XLSX in a temporary file; the export is audited."""
    rows = audit_lines(
        scope, user=user or None, action=action or None, since=since, until=until, text=text or None
    )
    name = f"audit_{datetime.now():%Y%m%d_%H%M%S}.{fmt}"
    accounts.audit(
        scope.settings, scope.user, "audit_export", name, f"rows={rows.height}", scope.ip
    )
    return write_table(
        rows, fmt, Path(tempfile.mkdtemp(prefix="rehab-audit-")) / name, sheet="audit"
    )
