"""The app's one data-access layer: everything pages, callbacks and downloads show comes
from here, through the user's scope.

Each function takes the `Scope` of the request (built on the server from the session), reads
the marts (the same tables exports and bulletins use) and returns only what the scope lets
through: a district user gets the rows of their district and nothing city-wide; asking for
another district raises `Denied`. The Dash callbacks only format the result. Connections are
read-only cursors on the current snapshot; when a run publishes a new snapshot the next call
opens it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl
from flask import g, has_request_context

from dashboards.auth import Denied, Scope
from pipelines.indicators import compute
from pipelines.ingest import reports, uploads
from pipelines.ops import accounts, jobs, targets
from pipelines.outputs import notify
from pipelines.outputs.bulletin import archived
from pipelines.outputs.export import export_frame
from pipelines.settings import Settings
from pipelines.warehouse import snapshots
from pipelines.warehouse.db import frame

_lock = threading.Lock()
# Snapshot path → [read-only connection, cursors in use]; data directory → newest path seen.
_parents: dict[Path, list] = {}
_newest: dict[Path, Path] = {}


@contextmanager
def snapshot(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A cursor on the published snapshot (None when nothing is published yet).

    One read-only connection per snapshot file is shared by all threads (each gets its own
    cursor). When a run publishes a new snapshot, new requests open it; the previous
    connection is closed only when its last cursor is done, so a request that started on the
    old snapshot finishes on it with consistent numbers."""
    path = _request_snapshot(settings)
    if path is None:
        yield None
        return
    with _lock:
        entry = _parents.get(path)
        if entry is None:
            entry = _parents[path] = [duckdb.connect(str(path), read_only=True), 0]
        entry[1] += 1
        _newest[settings.data_dir] = path
        cursor = entry[0].cursor()
    try:
        yield cursor
    finally:
        cursor.close()
        with _lock:
            entry[1] -= 1
            newest = set(_newest.values())
            for old, (connection, users) in list(_parents.items()):
                if users == 0 and old not in newest:
                    connection.close()
                    del _parents[old]


def _request_snapshot(settings: Settings) -> Path | None:
    """The snapshot this request reads: fixed at its first query, so a page built from several
    queries never mixes two snapshots when a run publishes in between."""
    if not has_request_context():
        return snapshots.published_path(settings)
    pinned = g.get("snapshot_path")
    if pinned is None or not pinned.exists():
        pinned = g.snapshot_path = snapshots.published_path(settings)
    return pinned


def snapshot_key(scope: Scope) -> str | None:
    """Which published snapshot this request reads (for cache keys)."""
    path = _request_snapshot(scope.settings)
    return str(path) if path else None


def _visible(scope: Scope, rows: pl.DataFrame) -> pl.DataFrame:
    """The rows of a mart the scope may see: for a district user only their district's
    district and township rows (nothing city-wide)."""
    if scope.district is None or rows.is_empty():
        return rows
    keep = pl.col("district_code") == scope.district
    if "unit_level" in rows.columns:
        keep = keep & (pl.col("unit_level") != "city")
    return rows.filter(keep)


def _unit(scope: Scope, unit_code: str) -> str:
    """The unit a series or breakdown may be read for: a district user asking for the city
    gets their district; asking for another district is refused."""
    if scope.district is None:
        return unit_code
    if unit_code == "city":
        return scope.district
    if unit_code != scope.district:
        raise Denied(f"district {unit_code} is outside the user's scope")
    return unit_code


@dataclass(frozen=True)
class Meta:
    as_of: date | None
    jurisdiction: str
    years: list[int]
    programmes: list[dict]  # code, name_zh, name_en, source
    indicators: dict[str, list[str]]  # programme → indicator codes
    indicator_names: dict[str, dict]  # code → unit, name_zh, name_en, definition_zh


def meta(scope: Scope) -> Meta | None:
    """What is published: as-of date, years, programmes and their indicators."""
    with snapshot(scope.settings) as con:
        if con is None:
            return None
        as_of = con.execute("select as_of from mart_meta").fetchall()[0][0]
        years = [
            r[0]
            for r in con.execute(
                "select distinct year from indicator_values order by year"
            ).fetchall()
        ]
        programmes = frame(
            con, "select code, name_zh, name_en, source from ref_programmes"
        ).to_dicts()
        pairs = con.execute("select programme, indicator from ref_programme_indicators").fetchall()
        names = frame(con, "select * from ref_indicators").to_dicts()
        juris = con.execute("select name from ref_jurisdiction").fetchall()[0][0]
    indicators: dict[str, list[str]] = {}
    for programme, indicator in pairs:
        indicators.setdefault(programme, []).append(indicator)
    return Meta(
        as_of=as_of,
        jurisdiction=juris,
        years=years,
        programmes=programmes,
        indicators=indicators,
        indicator_names={n["code"]: n for n in names},
    )


def headline_indicator(meta: Meta, programme: str) -> str:
    """The indicator a programme's card shows: its first indicator that has a target row."""
    return meta.indicators[programme][0]


def as_of_options(scope: Scope, year: int) -> list[date]:
    """The as-of dates the marts hold for a year, newest first (each month end, and the
    latest date in the data)."""
    with snapshot(scope.settings) as con:
        if con is None:
            return []
        rows = con.execute(
            "select distinct as_of from indicator_monthly where year = ? "
            "union select distinct as_of from indicator_values where year = ? order by as_of desc",
            [year, year],
        ).fetchall()
    return [r[0] for r in rows]


def _source(
    con: duckdb.DuckDBPyConnection, year: int, as_of: date | None
) -> tuple[str, date | None]:
    """Which mart holds the year at `as_of`: indicator_values for the published date,
    indicator_monthly for a month end."""
    published = con.execute(
        "select max(as_of) from indicator_values where year = ?", [year]
    ).fetchall()[0][0]
    if as_of is None or as_of == published:
        return "indicator_values", published
    return "indicator_monthly", as_of


def values(
    scope: Scope, programme: str, indicator: str, year: int, as_of: date | None = None
) -> pl.DataFrame:
    """District rows and the city row of one indicator (at the published as-of by default)."""
    with snapshot(scope.settings) as con:
        table, as_of = _source(con, year, as_of)
        rows = frame(
            con,
            f"""
            select * from {table}
            where programme = ? and indicator = ? and year = ? and as_of = ?
                and unit_level in ('district', 'city')
            order by unit_level = 'city', district_code
            """,
            [programme, indicator, year, as_of],
        )
    return _visible(scope, rows)


def headline_rows(scope: Scope, year: int, as_of: date | None = None) -> pl.DataFrame:
    """Every programme indicator's row for the year at the top of the scope (the KPI cards):
    the city's, or a district user's district."""
    level = "district" if scope.district else "city"
    with snapshot(scope.settings) as con:
        table, as_of = _source(con, year, as_of)
        rows = frame(
            con,
            f"select * from {table} where year = ? and as_of = ? and unit_level = ? order by programme",
            [year, as_of, level],
        )
    return _visible(scope, rows)


def monthly(
    scope: Scope, programme: str, indicator: str, year: int, unit_code: str
) -> pl.DataFrame:
    """The indicator at each month end of the year for one unit (city or a district code)."""
    unit_code = _unit(scope, unit_code)
    with snapshot(scope.settings) as con:
        return frame(
            con,
            """
            select as_of, value, expected, target, numerator, denominator, status
            from indicator_monthly
            where programme = ? and indicator = ? and year = ? and unit_code = ?
            order by as_of
            """,
            [programme, indicator, year, unit_code],
        )


def townships(
    scope: Scope,
    programme: str,
    indicator: str,
    year: int,
    district: str,
    as_of: date | None = None,
) -> pl.DataFrame:
    """Township rows of a district; another as-of date than the published one is computed
    on the snapshot with the same indicator SQL."""
    district = _unit(scope, district)
    with snapshot(scope.settings) as con:
        table, as_of = _source(con, year, as_of)
        if table == "indicator_values":
            rows = frame(
                con,
                "select * from indicator_values where programme = ? and indicator = ? and year = ? "
                "and unit_level = 'township' and district_code = ?",
                [programme, indicator, year, district],
            )
        else:
            rows = compute.compute_values(
                con, [(year, as_of)], scope.settings.lagging_points
            ).filter(
                (pl.col("programme") == programme)
                & (pl.col("indicator") == indicator)
                & (pl.col("unit_level") == "township")
                & (pl.col("district_code") == district)
            )
    return rows.sort("township").select(
        "township", "denominator", "numerator", "value", "target", "gap", "status", "persons_needed"
    )


def breakdowns(
    scope: Scope,
    programme: str,
    indicator: str,
    year: int,
    unit_code: str,
    dimension: str,
    as_of: date | None = None,
) -> pl.DataFrame:
    unit_code = _unit(scope, unit_code)
    with snapshot(scope.settings) as con:
        table, as_of = _source(con, year, as_of)
        if table == "indicator_values":
            rows = frame(
                con,
                "select * from indicator_breakdowns where programme = ? and indicator = ? and year = ? "
                "and unit_code = ? and dimension = ?",
                [programme, indicator, year, unit_code, dimension],
            )
        else:
            rows = compute.compute_breakdowns(con, [(year, as_of)]).filter(
                (pl.col("programme") == programme)
                & (pl.col("indicator") == indicator)
                & (pl.col("unit_code") == unit_code)
                & (pl.col("dimension") == dimension)
            )
    return rows.sort("member").select("member", "denominator", "numerator", "value")


def lacking_capability(
    scope: Scope, programme: str, year: int, as_of: date | None = None
) -> list[str]:
    """Names of the districts without a designated institution for the programme in the year."""
    rows = values(scope, programme, "district_capability", year, as_of)
    return (
        rows.filter((pl.col("unit_level") == "district") & (pl.col("numerator") == 0))
        .get_column("district_name")
        .to_list()
    )


def notifications(
    scope: Scope,
    status: str = "open",
    programme: str | None = None,
    district: str | None = None,
    rule: str | None = None,
) -> pl.DataFrame:
    """The notification feed of the published snapshot, newest first; a district user gets
    only their district's notifications, whatever district the browser asks for."""
    if scope.district is not None:
        district = scope.district
    with snapshot(scope.settings) as con:
        if con is None:
            return pl.DataFrame()
        where, params = ["(? = 'all' or status = ?)"], [status, status]
        for column, value in (
            ("programme", programme),
            ("district_code", district),
            ("rule", rule),
        ):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        return frame(
            con,
            f"select * from notifications where {' and '.join(where)} "
            "order by first_seen_at desc, rule, district_code",
            params,
        )


def new_notifications(scope: Scope, since: datetime | None) -> int:
    """Open notifications (of the scope) first seen after `since` (the user's last visit)."""
    with snapshot(scope.settings) as con:
        if con is None:
            return 0
        sql = "select count(*) from notifications where status = 'open'"
        params: list = []
        if since is not None:
            sql += " and first_seen_at > ?"
            params.append(since)
        if scope.district is not None:
            sql += " and district_code = ?"
            params.append(scope.district)
        return con.execute(sql, params).fetchall()[0][0]


def unit_names(scope: Scope) -> dict[str, str]:
    """Code → name of the districts the scope may see."""
    with snapshot(scope.settings) as con:
        if con is None:
            return {}
        names = dict(con.execute("select code, name from ref_units").fetchall())
    return {c: n for c, n in names.items() if scope.sees(c)}


def export_selection(
    scope: Scope, indicator: str, programme: str, year: int, as_of: date | None, by: str
) -> pl.DataFrame:
    """A download: the rows `rehab-monitor export` writes for the same choice (with the same
    small-cell setting), cut to the scope. Aggregates only."""
    scope.require("downloads")
    rows = export_frame(scope.settings, indicator, programme, year, as_of, by)
    if scope.district is not None:
        rows = rows.filter(pl.col("district_code") == scope.district)
    return rows


# Masked person lists a district user may open, with a reason (§8): the follow-up rules.
PERSON_LISTS = ("review_overdue", "referral_waiting")
MIN_REASON = 4


def follow_up_persons(
    scope: Scope, rule: str, programme: str | None, reason: str | None
) -> pl.DataFrame:
    """The masked list of the district's persons a follow-up rule names (review overdue,
    referral waiting). Only district users, only their district, only with a stated reason;
    every opening is audited with the reason and the number of rows shown."""
    scope.require("persons")
    if rule not in PERSON_LISTS:
        raise ValueError(f"unknown list {rule!r}")
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON:
        raise ValueError("a reason is required")
    with snapshot(scope.settings) as con:
        if con is None:
            return pl.DataFrame()
        notify.follow_up_view(con)
        rows = frame(
            con,
            """
            select case_id, name_masked, id_masked, township, programme, since, waiting,
                   waiting_unit
            from follow_up
            where rule = ? and district_code = ? and (? is null or programme = ?)
            order by waiting desc, case_id
            """,
            [rule, scope.district, programme, programme],
        )
    accounts.audit(
        scope.settings, scope.user, "persons_list", f"{rule} {scope.district} {programme or '*'}",
        f"rows={rows.height}; reason={reason[:200]}", scope.ip,
    )  # fmt: skip
    return rows


def loaded_overview(scope: Scope) -> dict:
    """What the published snapshot holds: per dataset and district row counts, latest run."""
    scope.require("loaded")
    settings = scope.settings
    pointer = snapshots.published(settings)
    if pointer is None:
        return {"published": None}
    with snapshot(settings) as con:
        summary = frame(
            con,
            """
            select l.dataset, l.district_code, coalesce(u.name, l.district_code) as district_name,
                   sum(l.rows) as rows, max(l.latest_date) as latest_date
            from load_summary l
            left join ref_units u on u.code = l.district_code
            group by all
            order by l.dataset, l.district_code
            """,
        )
        run = frame(
            con,
            """
            select run_id, started_at, finished_at, status, files_loaded, files_skipped,
                   files_refused, rows_read, rows_loaded, rows_rejected
            from runs
            where published_snapshot is not null
            order by run_id desc
            limit 1
            """,
        )
        juris = con.execute("select name from ref_jurisdiction").fetchall()[0][0]
    return {
        "published": pointer,
        "jurisdiction": juris,
        "summary": summary,
        "run": run.to_dicts()[0] if run.height else None,
    }


def bulletin_archive(scope: Scope) -> list[dict]:
    """Issued bulletins, oldest first (city-wide documents: not for district users)."""
    scope.require("bulletins")
    return archived(scope.settings)


def bulletin_file(scope: Scope, name: str) -> Path:
    """The archived bulletin file of that name (only names the archive lists); audited."""
    scope.require("bulletins")
    if name not in {e["file"] for e in archived(scope.settings)}:
        raise FileNotFoundError(name)
    accounts.audit(scope.settings, scope.user, "bulletin_download", name, None, scope.ip)
    return scope.settings.data_dir / "bulletins" / name


def audit_lines(scope: Scope, **filters) -> pl.DataFrame:
    """The audit log for the admin page (see accounts.search_audit for the filters)."""
    scope.require("admin")
    rows = accounts.search_audit(scope.settings, **filters)
    schema = {"id": pl.Int64, "at": pl.String, "user": pl.String, "action": pl.String,
              "target": pl.String, "detail": pl.String, "ip": pl.String}  # fmt: skip
    return pl.DataFrame(rows, schema=schema)


def user_list(scope: Scope) -> list[accounts.User]:
    scope.require("admin")
    return accounts.users(scope.settings)


# -- data operations (admin) -----------------------------------------------------------------


def run_history(scope: Scope, limit: int = 50) -> list[dict]:
    """The latest pipeline runs (from their reports), newest first."""
    scope.require("data")
    return [r["run"] for r in reports.run_reports(scope.settings, limit)]


def run_report(scope: Scope, run_id: int) -> dict | None:
    """One run's report: its files, rejected rows per reason, masked sample rows."""
    scope.require("data")
    return reports.run_report(scope.settings, run_id)


def run_rejects(scope: Scope, run_id: int) -> pl.DataFrame:
    """Every rejected row of a run with its reason (masked values), for the district to fix."""
    scope.require("data")
    rows = reports.run_rejects(scope.settings, run_id)
    accounts.audit(scope.settings, scope.user, "download", f"rejects run {run_id}",
                   f"rows={rows.height}", scope.ip)  # fmt: skip
    return rows


def upload(scope: Scope, files: list[tuple[str, str]]) -> list[uploads.Upload]:
    """Put uploaded files (name, data URL) into the inbox and start a pipeline run for them."""
    scope.require("data")
    saved = [uploads.save_upload(scope.settings, n, c, scope.user, scope.ip) for n, c in files]
    if any(u.error_zh is None for u in saved):
        jobs.start_run(scope.settings, "upload")
    return saved


def run_active(scope: Scope) -> bool:
    scope.require("data")
    return jobs.run_active(scope.settings)


def target_rows(scope: Scope) -> list[dict]:
    scope.require("targets")
    return targets.target_rows(scope.settings)


def save_targets(scope: Scope, rows: list[dict]) -> list[str]:
    """Validate and save the target rows; each change is audited and a run republishes the
    marts. Returns the problems (none: saved)."""
    scope.require("targets")
    problems, changed = targets.save_targets(scope.settings, rows, scope.user, scope.ip)
    if changed:
        jobs.start_run(scope.settings, "targets")
    return problems
