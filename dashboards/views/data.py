"""Data page: upload results, the validation report of a run, run history, templates."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from dash import html

from dashboards.auth import Scope
from dashboards.i18n import t
from dashboards.queries import run_history, run_rejects, run_report, upload, upload_run_progress
from pipelines.ingest.templates import template_name, write_template
from pipelines.outputs.tables import write_table
from schemas.contract import DATASETS


def _table(header: list[str], rows: list[list], table_id: str, lang: str) -> html.Table:
    return html.Table(
        [
            html.Thead(html.Tr([html.Th(t(h, lang)) for h in header])),
            html.Tbody(
                [html.Tr([c if isinstance(c, html.Td) else html.Td(c) for c in r]) for r in rows]
            ),
        ],
        className="plain-table",
        id=table_id,
    )


def upload_files(
    scope: Scope, names: list[str], contents: list[str], lang: str, *, reapply: bool = False
) -> tuple[html.Div, bool]:
    """Save the uploads (to be re-applied, if asked); the message listing each file, and
    whether a run was started."""
    saved = upload(scope, list(zip(names, contents, strict=True)), reapply)
    items = [
        html.Li(f"{t('data.saved', lang)}：{u.name}（{u.size:,} B）")
        if u.error_zh is None
        else html.Li(
            f"{t('data.refused', lang)}：{u.name} — {u.error_zh if lang == 'zh' else u.error_en}",
            className="login-error",
        )
        for u in saved
    ]
    started = any(u.error_zh is None for u in saved)
    return html.Div([html.Ul(items, id="data-upload-list")]), started


def run_options(scope: Scope, lang: str) -> list[dict]:
    return [
        {"label": f"{t('data.run', lang)} {r['run_id']} · {r.get('started_at', '')[:16]} · "
                  f"{t('trigger.' + (r.get('trigger') or 'cli'), lang)} · {t('run.' + r['status'], lang)}",
         "value": r["run_id"]}
        for r in run_history(scope)
    ]  # fmt: skip


def latest_run_id(scope: Scope) -> int:
    history = run_history(scope, limit=1)
    return history[0]["run_id"] if history else 0


def report_view(scope: Scope, run_id: int | None, lang: str) -> html.Div | html.P:
    """The validation report of a run: outcome per file, rejected rows per reason, samples."""
    report = run_report(scope, run_id) if run_id else None
    if report is None:
        return html.P(t("data.none", lang))
    run = report["run"]
    message = "message_zh" if lang == "zh" else "message_en"
    summary = html.P(
        f"{t('data.run', lang)} {run['run_id']} · {t('run.' + run['status'], lang)} · "
        f"{t('data.read', lang)} {run.get('rows_read') or 0:,} · {t('data.loaded', lang)} "
        f"{run.get('rows_loaded') or 0:,} · {t('data.rejected', lang)} {run.get('rows_rejected') or 0:,}"
        + (f" · {t('data.error', lang)}: {run['error']}" if run.get("error") else "")
        + (f" · {t('data.replaced_rows', lang, rows=f'{newer:,}')}" if (newer := run.get("rows_replaced_newer")) else ""),
        id="data-report-summary",
    )  # fmt: skip
    files = _table(
        ["data.file", "data.dataset", "data.status", "data.read", "data.loaded", "data.rejected", "data.reason"],
        [[f["file"], t(f"dataset.{f['dataset']}", lang) if f.get("dataset") else "—",
          t("file.reapplied" if f.get("reapplied") else f"file.{f['status']}", lang),
          f"{f['rows_read']:,}", f"{f['rows_loaded']:,}",
          f"{f['rows_rejected']:,}", f.get(message) or ""] for f in report["files"]],
        "data-report-files", lang,
    )  # fmt: skip
    reasons = _table(
        ["data.file", "data.reason", "data.rows"],
        [[r["file"], r[message], f"{r['rows']:,}"] for r in report["reasons"]],
        "data-report-reasons", lang,
    )  # fmt: skip
    samples = _table(
        ["data.file", "data.row", "data.column", "data.value", "data.reason"],
        # The column and value as written in the file: the data's own words, in no language.
        [[s["file"], s["row"], html.Td(s["column"] or "", className="data-text"),
          html.Td(s["value"] or "", className="data-text"), s[message]] for s in report["samples"]],
        "data-report-samples", lang,
    )  # fmt: skip
    parts = [summary, *replaced_view(report.get("replaced") or [], lang), files]
    if report["reasons"]:
        parts += [
            html.H3(t("data.reason", lang)),
            reasons,
            html.H3(t("data.samples", lang)),
            samples,
        ]
    return html.Div(parts)


def replaced_view(replaced: list[dict], lang: str) -> list:
    """Rows files took back from newer files, said first and loudly (a heading, one line per
    file and newer file); rows a re-applied file replaced, said plainly."""
    message = "message_zh" if lang == "zh" else "message_en"
    sep = "：" if lang == "zh" else ": "
    warnings = [r for r in replaced if r["reason"] != "reapplied"]
    parts = []
    if warnings:
        parts.append(
            html.Div(
                [
                    html.Strong(t("data.replaced", lang)),
                    html.Ul([html.Li(f"{r['file']}{sep}{r[message]}") for r in warnings]),
                ],
                className="login-error",
                id="data-report-replaced",
            )
        )
    restored = [r for r in replaced if r["reason"] == "reapplied"]
    if restored:
        parts.append(
            html.Ul(
                [html.Li(f"{r['file']}{sep}{r[message]}") for r in restored],
                id="data-report-reapplied",
            )
        )
    return parts


def history_view(scope: Scope, lang: str) -> html.Table | html.P:
    runs = run_history(scope)
    if not runs:
        return html.P(t("data.none", lang))
    rows = []
    for r in runs:
        seconds = ""
        if r.get("finished_at") and r.get("started_at"):
            seconds = f"{(datetime.fromisoformat(r['finished_at']) - datetime.fromisoformat(r['started_at'])).total_seconds():.1f}"
        trigger = t("trigger." + (r.get("trigger") or "cli"), lang)
        if r.get("files_reapplied") and r.get("trigger") != "reapply":
            trigger += " · " + t("data.reapplied_n", lang, n=r["files_reapplied"])
        rows.append([r["run_id"], trigger, r.get("started_at", ""),
                     seconds, _status(r, lang), r.get("files_seen") or 0,
                     f"{r.get('rows_read') or 0:,}", f"{r.get('rows_loaded') or 0:,}",
                     f"{r.get('rows_rejected') or 0:,}"])  # fmt: skip
    return _table(
        ["data.run", "data.trigger", "data.started", "data.seconds", "data.status", "data.files",
         "data.read", "data.loaded", "data.rejected"],
        rows, "data-history", lang,
    )  # fmt: skip


def _status(run: dict, lang: str) -> str:
    """A run's outcome, and the newer rows its files replaced when there were any."""
    status = t("run." + run["status"], lang)
    if newer := run.get("rows_replaced_newer"):
        status += " · " + t("data.replaced_rows", lang, rows=f"{newer:,}")
    return status


def rejects_file(scope: Scope, run_id: int, fmt: str) -> Path:
    rows = run_rejects(scope, run_id)
    folder = Path(tempfile.mkdtemp(prefix="rehab-rejects-"))
    return write_table(rows, fmt, folder / f"rejects_run{run_id}.{fmt}", sheet="rejected")


def template_file(scope: Scope, dataset: str) -> Path:
    scope.require("data")
    if dataset not in DATASETS:
        raise ValueError(dataset)
    folder = Path(tempfile.mkdtemp(prefix="rehab-template-"))
    return write_template(scope.settings, dataset, folder / template_name(dataset))


def upload_progress(scope: Scope, lang: str) -> html.Span:
    """Where the upload's run is: 'file 3 of 16: name', or its stage after the files."""
    step = upload_run_progress(scope)
    if step is None:
        text = t("data.processing", lang)
    elif step.file:
        text = t("data.progress_file", lang, done=step.done, total=step.total, file=step.file)
    else:
        text = t(
            "data.progress_stage", lang, stage=step.stage_zh if lang == "zh" else step.stage_en
        )
    return html.Span(text, id="data-processing")
