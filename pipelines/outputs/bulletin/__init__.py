"""Progress bulletins (进度通报, §6): a numbered Word document the joint-meeting office can edit
and issue, for one programme or all, built from one pinned published snapshot and archived with
it. Everything in a bulletin — figures, ranking, chart and the issues it raises — is as of the
period's end (capped at the data's as-of date)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.outputs import notify
from pipelines.outputs.bulletin import loop
from pipelines.outputs.bulletin.archive import archived, folder, issue
from pipelines.outputs.bulletin.document import ALL, Bulletin, Heading, Section, write_document
from pipelines.outputs.bulletin.periods import Period, parse_period
from pipelines.outputs.export import export_rows
from pipelines.settings import Settings
from pipelines.warehouse import snapshots
from pipelines.warehouse.db import frame, scalar

__all__ = ["ALL", "Bulletin", "Period", "archived", "build", "parse_period"]

# Rules a bulletin raises (the feed's file and target-met notices are not for a bulletin).
BULLETIN_RULES = ("progress_behind", "progress_lagging", "review_overdue", "referral_waiting",
                  "settlement_missing", "stale_data")  # fmt: skip


def build(
    settings: Settings,
    programme: str,
    period_text: str,
    out: Path | None = None,
    issuer: str | None = None,
    template: Path | None = None,
    today: date | None = None,
) -> Bulletin:
    """Write the bulletin for one programme or for all (`programme="all"`), archive it."""
    pointer = snapshots.published(settings)
    if pointer is None:
        raise FileNotFoundError("尚未发布任何数据 / nothing published yet")
    # One connection on the snapshot the pointer names now: a run publishing meanwhile does not
    # change a single number of this bulletin.
    con = duckdb.connect(str(settings.data_dir / pointer["snapshot"]), read_only=True)
    try:
        published = scalar(con, "select as_of from mart_meta")
        if published is None:
            raise FileNotFoundError("尚无数据 / no data published yet")
        period = parse_period(period_text, published)
        sections = _sections(con, settings, programme, period)
        notes = _notes(con, settings, [s.programme["code"] for s in sections], period)
        jurisdiction = scalar(con, "select name from ref_jurisdiction")
        names = _names(con)
    finally:
        con.close()
    single = programme != ALL
    issued = today or settings.current_date()
    start, end = period.window(issued)
    loop_ = loop.collect(settings, {s.programme["code"]: s.programme["name_zh"] for s in sections},
                         names["indicators"], names["units"], start, end)  # fmt: skip
    issuer = issuer or f"{jurisdiction}残疾人康复工作联席会议办公室"
    title = (
        f"{sections[0].programme['name_zh']}进度通报"
        if single
        else f"{jurisdiction}残疾人康复工作进度通报"
    )
    previous = next(
        (b["ranks"] for b in reversed(archived(settings)) if b["programme"] == programme), {}
    )

    def write(number_in_year: int, path: Path) -> dict:
        number = f"{period.year}年第{number_in_year}期"
        heading = Heading(title, number, issuer, issued,
                          f"各县（市、区）残联，{jurisdiction}残疾人康复工作联席会议各成员单位")  # fmt: skip
        ranks = write_document(path, heading, sections, period, notes, previous, single, template,
                               loop_)  # fmt: skip
        return {
            "programme": programme, "year": period.year, "number": number,
            "period": period.label, "as_of": period.as_of.isoformat(), "file": path.name,
            "snapshot": pointer["snapshot"], "snapshot_run": pointer["run_id"],
            "created_at": datetime.now().isoformat(timespec="seconds"), "ranks": ranks,
        }  # fmt: skip

    entry = issue(settings, programme, period.year, write)
    path = folder(settings) / entry["file"]
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(path.read_bytes())
    return Bulletin(path, entry["number"], programme, period, pointer["snapshot"], entry["ranks"])


def _names(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Code → name of the snapshot's districts and indicators (Chinese)."""
    return {
        "units": dict(con.execute("select code, name from ref_units order by code").fetchall()),
        "indicators": dict(con.execute("select code, name_zh from ref_indicators").fetchall()),
    }


def _sections(
    con: duckdb.DuckDBPyConnection, settings: Settings, programme: str, period: Period
) -> list[Section]:
    """One section per programme (all, or the one asked for), each its headline indicator."""
    rows = frame(
        con,
        "select p.code, p.name_zh, p.source, pi.indicator, i.name_zh as indicator_name, i.unit "
        "from ref_programmes p join ref_programme_indicators pi on pi.programme = p.code "
        "and pi.headline join ref_indicators i on i.code = pi.indicator order by p.position",
    ).to_dicts()
    if programme != ALL:
        rows = [r for r in rows if r["code"] == programme]
        if not rows:
            raise ValueError(f"未知项目 / unknown programme {programme!r}")
    return [
        Section(
            {"code": r["code"], "name_zh": r["name_zh"], "source": r["source"]},
            {"indicator": r["indicator"], "name_zh": r["indicator_name"], "unit": r["unit"]},
            export_rows(con, settings, r["indicator"], r["code"], period.year, period.as_of),
        )
        for r in rows
    ]


def _notes(
    con: duckdb.DuckDBPyConnection, settings: Settings, programmes: list[str], period: Period
) -> list[str]:
    """The issues to raise, evaluated as of the period's end with the feed's own rules."""
    found = notify.conditions(con, settings, run_id=0, as_of=period.as_of)
    found = found.filter(
        pl.col("rule").is_in(BULLETIN_RULES)
        & (pl.col("programme").is_null() | pl.col("programme").is_in(programmes))
    )
    order = {rule: i for i, rule in enumerate(BULLETIN_RULES)}
    names = notify.names_of(con)
    rows = sorted(
        found.to_dicts(),
        key=lambda r: (
            order[r["rule"]],
            r["programme"] or "",
            r["district_code"] or "",
            r["subject"] or "",
        ),
    )
    return [notify.message(r, names)[0] for r in rows]
