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

import base64
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
from flask import g, has_request_context

from dashboards.auth import Denied, Scope
from pipelines.indicators import compute
from pipelines.ingest import reports, uploads
from pipelines.ops import accounts, jobs, supervision, targets, tasks
from pipelines.outputs import disclosure, notify, scorecard
from pipelines.outputs.bulletin import archived
from pipelines.outputs.bulletin.archive import folder as bulletin_folder
from pipelines.outputs.export import export_frame, protect_fine
from pipelines.settings import Settings
from pipelines.warehouse import snapshots
from pipelines.warehouse.db import frame

_lock = threading.Lock()
# Snapshot path → [read-only connection, cursors in use]; data directory → newest path seen.
_parents: dict[Path, list] = {}
_newest: dict[Path, Path] = {}


@contextmanager
def snapshot(
    settings: Settings, path: Path | None = None
) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A cursor on the published snapshot (None when nothing is published yet).

    One read-only connection per snapshot file is shared by all threads (each gets its own
    cursor). When a run publishes a new snapshot, new requests open it; the previous
    connection is closed only when its last cursor is done, so a request that started on the
    old snapshot finishes on it with consistent numbers."""
    path = path or _request_snapshot(settings)
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
    """What a snapshot publishes, read once per snapshot."""

    as_of: date | None
    jurisdiction: str
    level: str  # the jurisdiction's: 市, 省 or 国
    years: list[int]
    year_as_of: dict[int, date]  # the as-of date indicator_values holds for each year
    lagging_points: float  # the status threshold the marts were built with
    programmes: list[dict]  # code, name_zh, name_en, source; in reference order
    indicators: dict[str, list[str]]  # programme → indicator codes, headline first
    indicator_names: dict[str, dict]  # code → unit, name_zh, name_en, definition_zh
    units: dict[str, str]  # district code → name
    prefectures: dict[str, str]  # a province's cities: code → name (none for a city)
    prefecture_of: dict[str, str]  # district code → its prefecture's code

    def headline(self, programme: str) -> str:
        """The programme's headline indicator: the first of its list in programmes.csv."""
        return self.indicators[programme][0]


_META_SQL = """
select
    m.as_of,
    m.lagging_points,
    (select name from ref_jurisdiction) as jurisdiction,
    (select level from ref_jurisdiction) as level,
    (select list(struct_pack(year := year, as_of := as_of) order by year)
     from (select year, max(as_of) as as_of from indicator_values group by year)) as years,
    (select list(struct_pack(code := code, name_zh := name_zh, name_en := name_en,
                             source := source) order by position)
     from ref_programmes) as programmes,
    (select list(struct_pack(programme := programme, indicator := indicator)
                 order by programme, position)
     from ref_programme_indicators) as pairs,
    (select list(i) from ref_indicators i) as indicator_names,
    (select list(struct_pack(code := code, name := name, prefecture := prefecture)
                 order by code)
     from ref_units) as units,
    (select list(struct_pack(code := code, name := name) order by code)
     from ref_prefectures) as prefectures
from mart_meta m
"""


def read_meta(con: duckdb.DuckDBPyConnection) -> Meta:
    """The snapshot's `Meta`, in one query."""
    row = frame(con, _META_SQL).row(0, named=True)
    indicators: dict[str, list[str]] = {}
    for pair in row["pairs"]:
        indicators.setdefault(pair["programme"], []).append(pair["indicator"])
    return Meta(
        as_of=row["as_of"],
        jurisdiction=row["jurisdiction"],
        level=row["level"],
        years=[y["year"] for y in row["years"] or []],
        year_as_of={y["year"]: y["as_of"] for y in row["years"] or []},
        lagging_points=row["lagging_points"],
        programmes=row["programmes"],
        indicators=indicators,
        indicator_names={n["code"]: n for n in row["indicator_names"]},
        units={u["code"]: u["name"] for u in row["units"]},
        prefectures={p["code"]: p["name"] for p in row["prefectures"] or []},
        prefecture_of={u["code"]: u["prefecture"] for u in row["units"]},
    )


_meta_cache: dict[str, Meta] = {}


def meta(scope: Scope, path: Path | None = None) -> Meta | None:
    """What is published (None before the first run publishes), cached per snapshot file: a
    snapshot never changes once published."""
    path = path or _request_snapshot(scope.settings)
    if path is None:
        return None
    key = str(path)
    found = _meta_cache.get(key)
    if found is None:
        with snapshot(scope.settings, path) as con:
            found = read_meta(con)
        with _lock:
            if len(_meta_cache) > 8:
                _meta_cache.clear()
            _meta_cache[key] = found
    return found


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


def _source(info: Meta, year: int, as_of: date | None) -> tuple[str, date | None]:
    """Which mart holds the year at `as_of`: indicator_values for the published date,
    indicator_monthly for a month end."""
    published = info.year_as_of.get(year)
    if as_of is None or as_of == published:
        return "indicator_values", published
    return "indicator_monthly", as_of


def _top_unit(scope: Scope) -> str:
    """The unit at the top of the scope: the city, or a district user's district."""
    return scope.district or "city"


_NOW_AND_MONTHS = """
select 'now' as part, * from {table}
where year = $year and as_of = $as_of and unit_level in {levels} {where_now}
union all
select 'month' as part, * from indicator_monthly
where year = $year and as_of <= $as_of and unit_level = $unit_level and unit_code = $unit
    {where_month}
order by part, unit_level = 'city', district_code, as_of
"""


@dataclass(frozen=True)
class OverviewData:
    """Everything the overview shows, for one programme, year and as-of date."""

    meta: Meta
    programme: str
    indicator: str  # the programme's headline indicator
    year: int
    as_of: date
    level: str  # the map's and ranking's units: 'district', or a province's 'prefecture'
    area: str | None  # the prefecture drilled into (its districts are shown), or None
    rows: pl.DataFrame  # the headline indicator's rows of `level` and the top row, in scope
    cards: list[tuple[dict, dict, dict]]  # (programme, indicator record, top row) per card
    series: pl.DataFrame  # the headline indicator at each month end, for the top unit
    capability: tuple[dict, dict, list[str]] | None  # (programme, top row, districts lacking)
    top_level: str = "city"  # the cards' unit: the city, the prefecture, a user's district


def overview_data(
    scope: Scope,
    programme: str | None,
    year: int | None,
    as_of: date | None = None,
    area: str | None = None,
) -> OverviewData | None:
    """The overview's data: the snapshot's meta (cached) and one query.

    In a province (or the country) the map first shows its prefectures; `area`, one of them,
    drills into its districts and the cards and trend follow that prefecture."""
    path = _request_snapshot(scope.settings)  # one snapshot for meta and data
    info = meta(scope, path)
    if info is None or programme not in info.indicators or year is None:
        return None
    table, as_of = _source(info, year, as_of)
    if as_of is None:
        return None
    indicator = info.headline(programme)
    if scope.district or not info.prefectures:
        area, level = None, "district"
    else:
        area = area if area in info.prefectures else None
        level = "district" if area else "prefecture"
    top_level = "district" if scope.district else ("prefecture" if area else "city")
    top = area or _top_unit(scope)
    with snapshot(scope.settings, path) as con:
        both = frame(
            con,
            _NOW_AND_MONTHS.format(
                table=table,
                levels="('district', 'prefecture', 'city')",
                where_now="",
                where_month="and programme = $programme and indicator = $indicator",
            ),
            {"year": year, "as_of": as_of, "unit": top, "unit_level": top_level,
             "programme": programme, "indicator": indicator},
        )  # fmt: skip
    now = _visible(scope, both.filter(pl.col("part") == "now").drop("part"))
    if area:  # the prefecture's own row and its districts
        now = now.filter(
            pl.when(pl.col("unit_level") == "district")
            .then(pl.col("unit_code").replace_strict(info.prefecture_of, default=None) == area)
            .otherwise((pl.col("unit_level") == "prefecture") & (pl.col("unit_code") == area))
        )
    shown = now.filter(pl.col("unit_level").is_in([level, top_level]))
    series = both.filter(pl.col("part") == "month").drop("part")
    tops = {(r["programme"], r["indicator"]): r
            for r in now.filter(unit_level=top_level).to_dicts()}  # fmt: skip
    cards = [
        (p, info.indicator_names[info.headline(p["code"])], tops[key])
        for p in info.programmes
        if (key := (p["code"], info.headline(p["code"]))) in tops
    ]
    return OverviewData(
        meta=info,
        programme=programme,
        indicator=indicator,
        year=year,
        as_of=as_of,
        level=level,
        area=area,
        rows=shown.filter(programme=programme, indicator=indicator),
        cards=cards,
        series=series,
        capability=_capability(info, programme, now, top_level),
        top_level=top_level,
    )


def _capability(
    info: Meta, programme: str, now: pl.DataFrame, level: str
) -> tuple[dict, dict, list[str]] | None:
    """The share of districts able to serve (of this programme, or else of the first that has
    the indicator), with the districts that lack a designated institution."""
    code = next(
        (p for p in [programme, *info.indicators] if "district_capability" in info.indicators[p]),
        None,
    )
    rows = now.filter(programme=code, indicator="district_capability") if code else now.clear()
    top = rows.filter(unit_level=level)
    if top.is_empty():
        return None
    lacking = rows.filter(unit_level="district", numerator=0).get_column("district_name")
    record = next(p for p in info.programmes if p["code"] == code)
    return record, top.row(0, named=True), lacking.to_list()


@dataclass(frozen=True)
class DistrictData:
    """Everything the district page shows, for one district, programme, year and as-of."""

    meta: Meta
    code: str
    name: str
    programme: str
    indicator: str  # the programme's headline indicator
    year: int
    as_of: date
    indicators: list[dict]  # the district's row of each programme indicator, in list order
    series: pl.DataFrame  # the headline indicator at each month end
    townships: pl.DataFrame  # the headline indicator per township
    breakdowns: dict[str, pl.DataFrame]  # dimension → members of the headline indicator


def district_data(
    scope: Scope, code: str | None, programme: str | None, year: int | None,
    as_of: date | None = None,
) -> DistrictData | None:  # fmt: skip
    """The district page's data: the snapshot's meta (cached) and two queries (another as-of
    date than a published one computes townships and breakdowns on the snapshot)."""
    path = _request_snapshot(scope.settings)  # one snapshot for meta and data
    info = meta(scope, path)
    if info is None or programme not in info.indicators or year is None:
        return None
    if code not in info.units or not scope.sees(code):
        raise Denied(f"district {code} is outside the user's scope")
    table, as_of = _source(info, year, as_of)
    if as_of is None:
        return None
    indicator = info.headline(programme)
    params = {"year": year, "as_of": as_of, "unit": code, "unit_level": "district",
              "programme": programme, "indicator": indicator, "district": code}  # fmt: skip
    with snapshot(scope.settings, path) as con:
        both = frame(
            con,
            _NOW_AND_MONTHS.format(
                table=table,
                levels="('district', 'township')",
                where_now="and programme = $programme and district_code = $district",
                where_month="and programme = $programme and indicator = $indicator",
            ),
            params,
        )
        if table == "indicator_values":
            # Every unit's members: a small cell is hidden with its complements over the
            # whole table, as in exports, so combining the two gives nothing back.
            parts = frame(
                con,
                "select * from indicator_breakdowns where programme = $programme and "
                "indicator = $indicator and year = $year and as_of = $as_of",
                {k: params[k] for k in ("programme", "indicator", "year", "as_of")},
            )
        else:  # a month end: townships and breakdowns are not stored, compute them
            computed = compute.compute_values(con, [(year, as_of)], info.lagging_points)
            both = pl.concat(
                [
                    both.filter(pl.col("unit_level") != "township"),
                    computed.filter(
                        programme=programme, indicator=indicator, unit_level="township",
                        district_code=code,
                    ).select(pl.lit("now").alias("part"), pl.all()),
                ],
                how="diagonal_relaxed",
            )  # fmt: skip
            parts = compute.compute_breakdowns(con, [(year, as_of)]).filter(
                programme=programme, indicator=indicator
            )
    now = both.filter(pl.col("part") == "now")
    townships = now.filter(unit_level="township", indicator=indicator).sort("township")
    if scope.settings.small_cells == "suppress":
        townships = protect_fine(townships, "township")
        parts = disclosure.protect(
            parts, disclosure.breakdown_lines("unit_code", "member", "dimension"),
            ["unit_code", "member"],
        )  # fmt: skip
    parts = parts.filter(unit_code=code)
    by_indicator = {r["indicator"]: r for r in now.filter(unit_level="district").to_dicts()}
    return DistrictData(
        meta=info,
        code=code,
        name=info.units[code],
        programme=programme,
        indicator=indicator,
        year=year,
        as_of=as_of,
        indicators=[by_indicator[i] for i in info.indicators[programme] if i in by_indicator],
        series=both.filter(pl.col("part") == "month").drop("part"),
        townships=townships,
        breakdowns={
            d: parts.filter(dimension=d).sort("member") for d in compute.BREAKDOWN_DIMENSIONS
        },
    )


@dataclass(frozen=True)
class ScorecardData:
    """Programmes × districts for a year at an as-of date (§ the scorecard)."""

    meta: Meta
    year: int
    as_of: date
    previous: date | None  # the month end the change is measured from
    columns: list[dict]  # programme, indicator, headline, unit; programmes in order
    units: list[dict]  # code, name: districts in code order, then the city
    cells: pl.DataFrame  # one row per unit and indicator: value, status, rank, change …


def scorecard_data(
    scope: Scope, year: int | None, as_of: date | None = None, every_indicator: bool = False
) -> ScorecardData | None:
    """The scorecard's data in one query: each programme's headline indicator (or every
    indicator) for every district and the city, with the values of the previous month end."""
    path = _request_snapshot(scope.settings)  # one snapshot for meta and data
    info = meta(scope, path)
    if info is None or year is None:
        return None
    table, as_of = _source(info, year, as_of)
    if as_of is None:
        return None
    previous = scorecard.previous_month_end(as_of)
    columns = [
        {"programme": p["code"], "indicator": ind, "headline": k == 0,
         "unit": info.indicator_names[ind]["unit"]}
        for p in info.programmes
        for k, ind in enumerate(info.indicators.get(p["code"], []))
        if every_indicator or k == 0
    ]  # fmt: skip
    with snapshot(scope.settings, path) as con:
        rows = frame(
            con,
            f"""
            select 'now' as part, programme, indicator, unit_level, unit_code, district_code,
                district_name,
                value, unit, status, target, numerator, denominator
            from {table} where year = $year and as_of = $as_of
                and unit_level in ('district', 'city')
            union all
            select 'before', programme, indicator, unit_level, unit_code, district_code,
                district_name,
                value, unit, status, target, numerator, denominator
            from indicator_monthly where year = $year and as_of = $previous
                and unit_level in ('district', 'city')
            """,
            {"year": year, "as_of": as_of, "previous": previous},
        )
    wanted = pl.DataFrame(columns).select("programme", "indicator")
    rows = _visible(scope, rows.join(wanted, on=["programme", "indicator"], how="semi"))
    table_cells = scorecard.cells(
        rows.filter(part="now").drop("part"), rows.filter(part="before").drop("part")
    )
    units = [{"code": c, "name": n} for c, n in sorted(info.units.items()) if scope.sees(c)]
    if scope.district is None:
        units.append({"code": "city", "name": info.jurisdiction})
    return ScorecardData(info, year, as_of, previous, columns, units, table_cells)


def notifications(
    scope: Scope,
    status: str = "open",
    programme: str | None = None,
    district: str | None = None,
    rule: str | None = None,
    year: int | None = None,
) -> pl.DataFrame:
    """The notification feed of the published snapshot, newest first, of the header's
    programme (and the notices for every programme) and year; a district user gets only their
    district's notifications, whatever district the browser asks for."""
    if scope.district is not None:
        district = scope.district
    with snapshot(scope.settings) as con:
        if con is None:
            return pl.DataFrame()
        where, params = ["(? = 'all' or status = ?)"], [status, status]
        if programme:  # a notice for every programme (stale data, a file) belongs to each
            where.append("(programme = ? or programme is null)")
            params.append(programme)
        for column, value in (("district_code", district), ("rule", rule), ("year", year)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        return frame(
            con,
            f"select * from notifications where {' and '.join(where)} "
            "order by first_seen_at desc, rule, district_code",
            params,
        )


def open_count(scope: Scope, programme: str | None, year: int | None) -> int:
    """How many open notifications the feed lists for the header's programme and year in the
    scope: the number on the navigation badge."""
    return notifications(scope, "open", programme, None, None, year).height


def unit_names(scope: Scope) -> dict[str, str]:
    """Code → name of the districts the scope may see."""
    info = meta(scope)
    return {c: n for c, n in info.units.items() if scope.sees(c)} if info else {}


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
        notify.follow_up_table(con)
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
            where run_id = $run
            """,
            {"run": int(pointer["run_id"])},  # the run that published this snapshot
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
    documents = {e["file"] for e in archived(scope.settings)}
    previews = {Path(f).with_suffix(".pdf").name for f in documents}
    path = bulletin_folder(scope.settings) / name
    if name not in documents and not (name in previews and path.exists()):
        raise FileNotFoundError(name)
    accounts.audit(scope.settings, scope.user, "bulletin_download", name, None, scope.ip)
    return path


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


def upload(
    scope: Scope, files: list[tuple[str, str]], reapply: bool = False
) -> list[uploads.Upload]:
    """Put uploaded files (name, data URL) into the inbox and start a pipeline run for them;
    with `reapply` the run loads them even if identical files were loaded before."""
    scope.require("data")
    saved = [
        uploads.save_upload(scope.settings, n, c, scope.user, scope.ip, reapply=reapply)
        for n, c in files
    ]
    if any(u.error_zh is None for u in saved):
        jobs.start_run(scope.settings, "upload")
    return saved


def run_active(scope: Scope) -> bool:
    scope.require("data")
    return jobs.run_active(scope.settings)


def upload_run_progress(scope: Scope) -> jobs.Progress | None:
    """The file or stage the upload's background run is at."""
    scope.require("data")
    return jobs.progress(scope.settings, "upload")


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


# -- supervision (督办, §11) -------------------------------------------------------------------

_FIGURES_SQL = """
select as_of, unit, value, target, expected, gap, numerator, denominator, status,
    district_name
from indicator_values
where year = $year and unit_level = 'district' and unit_code = $district
    and programme = $programme and indicator = $indicator
order by as_of desc
limit 1
"""


def indicator_figures(
    scope: Scope, district: str, programme: str, indicator: str, year: int | None = None
) -> dict | None:
    """The district's published figures of an indicator for `year` (default: the newest year
    published), as the snapshot holds them now; None when there are none."""
    if not scope.sees(district):
        raise Denied(f"district {district} is outside the user's scope")
    info = meta(scope)
    if info is None or not info.years:
        return None
    year = year if year in info.years else info.years[-1]
    with snapshot(scope.settings) as con:
        rows = frame(con, _FIGURES_SQL, {"year": year, "district": district,
                                          "programme": programme, "indicator": indicator})  # fmt: skip
    return rows.row(0, named=True) if rows.height else None


@dataclass(frozen=True)
class SupervisionDraft:
    """What a new item will hold: the district, programme and indicator and their figures as
    published now (frozen into the item when it is opened)."""

    district: str
    district_name: str
    programme: str
    indicator: str
    origin: str
    figures: dict | None


def supervision_draft(
    scope: Scope,
    notification: str | None = None,
    district: str | None = None,
    programme: str | None = None,
    indicator: str | None = None,
    origin: str | None = None,
    rule: str | None = None,
) -> SupervisionDraft | None:
    """The item an office user is about to open: from a notification (its key, or its rule
    with the district and programme) or from a district row (district, programme, indicator).
    None when they name nothing known."""
    scope.require("supervision.manage")
    info = meta(scope)
    if info is None:
        return None
    if rule and not notification:
        feed = notifications(scope, "all", programme, district, rule)
        if feed.is_empty():
            return None
        notification = feed["key"][0]
    if notification:
        with snapshot(scope.settings) as con:
            found = frame(con, "select rule, programme, district_code, subject from notifications "
                          "where key = ?", [notification])  # fmt: skip
        if found.is_empty() or found["district_code"][0] is None:
            return None
        row = found.row(0, named=True)
        district, programme = row["district_code"], row["programme"] or programme
        indicator = row["subject"] if row["subject"] in info.indicator_names else None
        origin = f"notification:{notification}"
    if district not in info.units or programme not in info.indicators:
        return None
    if indicator not in info.indicators[programme]:
        indicator = info.headline(programme)
    return SupervisionDraft(
        district, info.units[district], programme, indicator, origin or "district",
        indicator_figures(scope, district, programme, indicator),
    )  # fmt: skip


def open_supervision(
    scope: Scope, draft: SupervisionDraft, action: str, deadline: date, responsible: str
) -> int:
    """Open the item of `draft`, freezing the figures the snapshot publishes now. Audited."""
    scope.require("supervision.manage")
    figures = indicator_figures(scope, draft.district, draft.programme, draft.indicator)
    as_of = figures["as_of"] if figures else (meta(scope).as_of or scope.settings.current_date())
    return supervision.open_item(
        scope.settings, scope.user, district=draft.district, programme=draft.programme,
        indicator=draft.indicator, origin=draft.origin, as_of=as_of,
        snapshot=snapshot_key(scope) and Path(snapshot_key(scope)).name, figures=figures or {},
        action=action, deadline=deadline, responsible=responsible, ip=scope.ip,
    )  # fmt: skip


def _with_now(scope: Scope, rows: list[dict]) -> list[dict]:
    """Each item with its indicator's value now, beside the value when it was opened."""
    for r in rows:
        now = indicator_figures(
            scope, r["district"], r["programme"], r["indicator"], int(r["as_of"][:4])
        )
        r["value_now"] = now["value"] if now else None
        r["status_now"] = now["status"] if now else None
        r["as_of_now"] = now["as_of"] if now else None
    return rows


def supervision_items(scope: Scope) -> list[dict]:
    """The items the scope may see (a district user: their district's only), newest first,
    each with the value now."""
    scope.require("supervision")
    return _with_now(scope, supervision.items(scope.settings, district=scope.district))


def supervision_item(scope: Scope, item_id: int) -> tuple[dict, list[dict]]:
    """One item (with the value now) and its history; another district's item is refused."""
    scope.require("supervision")
    found = supervision.item(scope.settings, item_id)
    if found is None:
        raise FileNotFoundError(item_id)
    if not scope.sees(found["district"]):
        raise Denied(f"item {item_id} is outside the user's scope")
    return _with_now(scope, [found])[0], supervision.events(scope.settings, item_id)


def _attachment(name: str | None, data_url: str | None) -> supervision.Attachment | None:
    if not data_url:
        return None
    payload = data_url.split(",", 1)[-1]
    return supervision.Attachment(name or "", base64.b64decode(payload, validate=False))


def answer_supervision(
    scope: Scope, item_id: int, report: str, name: str | None = None, data_url: str | None = None
) -> None:
    """The district answers its own item (another district's is refused), with an optional
    attachment (.docx/.pdf/.xlsx by content, size-limited)."""
    scope.require("supervision.answer")
    supervision_item(scope, item_id)  # refuses another district's item
    supervision.answer(scope.settings, item_id, scope.user, report, _attachment(name, data_url),
                       scope.ip)  # fmt: skip


def decide_supervision(scope: Scope, item_id: int, accept: bool, comment: str | None) -> None:
    """The office closes (销号) or returns an answered item."""
    scope.require("supervision.manage")
    supervision_item(scope, item_id)
    if accept:
        supervision.close(scope.settings, item_id, scope.user, comment, scope.ip)
    else:
        supervision.send_back(scope.settings, item_id, scope.user, comment or "", scope.ip)


def supervision_attachment(scope: Scope, event_id: int) -> tuple[str, bytes]:
    """(name, content) of an answer's attachment, for those who may see its item; audited."""
    scope.require("supervision")
    event, path = supervision.attachment_path(scope.settings, event_id)
    supervision_item(scope, event["item"])
    accounts.audit(scope.settings, scope.user, "supervision_download", event["attachment_name"],
                   f"item={event['item']}", scope.ip)  # fmt: skip
    return event["attachment_name"], path.read_bytes()


# -- the policy's tasks (重点任务台账, §11) ------------------------------------------------------


def task_progress(scope: Scope, programme: str | None) -> tuple[list[dict], dict[str, str]]:
    """The programme's tasks with each visible district's status (a district user: theirs
    only), and those districts' names."""
    scope.require("tasks")
    units = unit_names(scope)
    if not programme:
        return [], units
    return tasks.progress(scope.settings, programme, sorted(units)), units


def report_task(scope: Scope, programme: str, number: str, status: str, note: str | None) -> None:
    """A district reports a task's status for its own district (audited)."""
    scope.require("tasks.report")
    tasks.report(scope.settings, programme, number, scope.district, status, note, scope.user,
                 scope.ip)  # fmt: skip


def confirm_task(scope: Scope, programme: str, number: str, district: str) -> None:
    """The office confirms a district's report (audited)."""
    scope.require("tasks.manage")
    if district not in unit_names(scope):
        raise Denied(f"district {district} is outside the user's scope")
    tasks.confirm(scope.settings, programme, number, district, scope.user, scope.ip)


def task_list(scope: Scope, programme: str) -> list[dict]:
    scope.require("tasks.manage")
    return tasks.task_rows(scope.settings, programme)


def save_task_list(scope: Scope, programme: str, rows: list[dict]) -> tuple[list[str], int]:
    """Validate and save the programme's task list (each change audited)."""
    scope.require("tasks.manage")
    info = meta(scope)
    if info is None or programme not in info.indicators:
        raise ValueError(f"unknown programme {programme!r}")
    return tasks.save_tasks(scope.settings, programme, rows, set(info.indicator_names),
                            scope.user, scope.ip)  # fmt: skip


def district_bulletin(scope: Scope, district: str, programme: str, period: str) -> Path:
    """A district's own bulletin (a district user: only their own), or every district's in
    one zip (`district="all"`, the office). Audited."""
    from pipelines.outputs.bulletin.district import build_all_districts, build_district

    scope.require("bulletins.district")
    if district == "all":
        scope.require("bulletins.generate")
        path = build_all_districts(scope.settings, programme, period)
    else:
        if not scope.sees(district):
            raise Denied(f"district {district} is outside the user's scope")
        path = build_district(scope.settings, district, programme, period)
    accounts.audit(scope.settings, scope.user, "bulletin_generate", path.name,
                   f"district={district} programme={programme} period={period}", scope.ip)  # fmt: skip
    return path
