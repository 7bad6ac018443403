"""Notifications (§5): evaluate the rules after every run's marts and keep the feed's
lifecycle — new conditions are raised once, conditions that still hold stay open, and those
that no longer hold are resolved (e.g. when a lagging district catches up)."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import polars as pl

from pipelines.ops import supervision
from pipelines.outputs.formatting import percent, value_text
from pipelines.settings import Settings
from pipelines.warehouse.db import frame, scalar, sql_file

RULES = (
    "progress_lagging", "progress_behind", "target_met", "review_overdue", "referral_waiting",
    "settlement_missing", "stale_data", "file_rejects", "supervision_overdue",
    "supervision_recovered",
)  # fmt: skip


def message(row: dict, names: dict[str, str]) -> tuple[str, str, str]:
    """(Chinese, English, link) for one condition; `names` maps codes to display names
    (Chinese, and English under "en:" + code), so no message shows a code."""
    p = names.get(row["programme"] or "", "")
    d = names.get(row["district_code"] or "", "")
    ind = names.get(row["subject"] or "", row["subject"])
    p_en = names.get(f"en:{row['programme']}", p)
    ind_en = names.get(f"en:{row['subject']}", ind)
    unit, n = row["unit"], row["count"]
    link = f"/district/{row['district_code']}" if row["district_code"] else "/loaded"
    match row["rule"]:
        case "progress_lagging" | "progress_behind":
            level = "滞后" if row["rule"] == "progress_lagging" else "严重滞后"
            zh = (
                f"{d}{p}{ind}为{value_text(row['value'], unit)}，低于序时进度{value_text(row['expected'], unit)}"
                f"（年度目标{value_text(row['target'], unit)}），进度{level}，尚需服务{row['persons_needed'] or 0}人"
            )
            en = (
                f"{d} {p_en}: {ind_en} is {value_text(row['value'], unit)}, below the "
                f"expected {value_text(row['expected'], unit)} (target {value_text(row['target'], unit)}); "
                f"{'lagging' if row['rule'] == 'progress_lagging' else 'behind'}, "
                f"{row['persons_needed'] or 0} more persons needed"
            )
        case "target_met":
            zh = f"{d}{p}{ind}达到{value_text(row['value'], unit)}，已完成年度目标{value_text(row['target'], unit)}"
            en = f"{d} {p_en}: {ind_en} reached {value_text(row['value'], unit)}, meeting the target {value_text(row['target'], unit)}"
        case "review_overdue":
            days = names.get(REVIEW_LIMIT, "5")
            zh = f"{d}{p}有{n}份申请超过{days}个工作日未完成审核"
            en = f"{d} {p_en}: {n} applications waiting more than {days} working days for review"
        case "referral_waiting":
            zh = f"{d}{p}有{n}名转介对象等待服务超过3个月，转介前须重新评估"
            en = f"{d} {p_en}: {n} referred subjects waiting over 3 months without service; re-assess before referral"
        case "settlement_missing":
            institution, quarter = (row["subject"] or "/Q1").split("/", 1)
            year, q = row["key"].rsplit("|", 1)[-1], int(quarter.lstrip("Q"))
            title = names.get(institution, institution)
            zh = f"{d}定点机构{title}在{year}年第{'一二三四'[q - 1]}季度有{n}条服务记录但当季无结算"
            en = f"{d} institution {title} has {n} services in {year} Q{q} and no settlement in that quarter"
        case "stale_data":
            zh = f"{d}已{n}天没有新的个案或服务记录"
            en = f"{d} sent no new case or service records for {n} days"
        case "file_rejects":
            zh = f"文件“{row['subject']}”拒收{n}行（{percent(row['value'])}），请核对后重新报送"
            en = f"File '{row['subject']}' had {n} rows rejected ({percent(row['value'])}); please correct and re-send"
            link = "/loaded"
        case "supervision_overdue":
            ind = names.get(row["indicator"], row["indicator"])
            ind_en = names.get(f"en:{row['indicator']}", ind)
            zh = f"{d}{row['subject']}（{p}{ind}）已超过办结时限{row['deadline']}，仍未报送整改情况"
            en = (f"{d} {row['subject']} ({p_en}: {ind_en}) passed its deadline {row['deadline']} "
                  "without an answer")  # fmt: skip
            link = f"/supervision/item/{row['item']}"
        case "supervision_recovered":
            ind = names.get(row["indicator"], row["indicator"])
            ind_en = names.get(f"en:{row['indicator']}", ind)
            zh = (f"{d}{p}{ind}已恢复至{value_text(row['value'], unit)}（进度正常），"
                  f"{row['subject']}尚未销号")  # fmt: skip
            en = (f"{d} {p_en}: {ind_en} recovered to {value_text(row['value'], unit)} (on track) "
                  f"while {row['subject']} is still open")  # fmt: skip
            link = f"/supervision/item/{row['item']}"
        case _:
            zh = en = row["rule"]
    return zh, en, link


def follow_up_table(con: duckdb.DuckDBPyConnection, as_of: date | None = None) -> None:
    """Create the temp table `follow_up`: persons to follow up on `as_of` (default: the
    data's as-of date; see pipelines/indicators/sql/follow_up.sql)."""
    day = as_of or scalar(con, "select as_of from mart_meta")
    con.execute(sql_file("indicators", "follow_up.sql"), {"as_of": day}).fetchall()


def conditions(
    con: duckdb.DuckDBPyConnection, settings: Settings, run_id: int, as_of: date | None = None
) -> pl.DataFrame:
    """The §5 conditions that hold on `as_of` (default: the data's as-of date; see
    pipelines/indicators/sql/notifications.sql)."""
    day = as_of or scalar(con, "select as_of from mart_meta")
    follow_up_table(con, day)
    params = {
        "as_of": day,
        "stale_days": int(settings.stale_days),
        "reject_share": float(settings.reject_share_alert),
        "run_id": int(run_id),
    }
    return frame(con, sql_file("indicators", "notifications.sql"), params)


# Key under which `names_of` carries the review limit (indicators.csv, working_days).
REVIEW_LIMIT = "review_timeliness.working_days"


def names_of(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Code → name of programmes, districts, indicators and institutions for messages, and
    the review limit in working days the overdue-review message names."""
    return dict(
        con.execute(
            "select code, name_zh from ref_programmes union all select code, name from ref_units "
            "union all select code, name_zh from ref_indicators "
            "union all select 'en:' || code, name_en from ref_programmes "
            "union all select 'en:' || code, name_en from ref_indicators "
            "union all select institution_id, coalesce(name, institution_id) from institutions "
            "union all select ?, cast(working_days as varchar) from ref_indicators "
            "where code = 'review_timeliness'",
            [REVIEW_LIMIT],
        ).fetchall()
    )


_SUPERVISED_SQL = """
select unit_code, programme, indicator, year, status, value, target, expected, gap, unit
from indicator_values
where unit_level = 'district'
qualify as_of = max(as_of) over (partition by year)
"""


def supervision_conditions(con: duckdb.DuckDBPyConnection, settings: Settings) -> pl.DataFrame:
    """The 督办 conditions (§11): an open item past its deadline without an answer, and an
    item not yet closed whose district's indicator is back on track (or met) in these marts."""
    rows = [r for r in supervision.items(settings) if r["state"] != "closed"]
    if not rows:
        return pl.DataFrame()
    now = {(r["unit_code"], r["programme"], r["indicator"], r["year"]): r
           for r in frame(con, _SUPERVISED_SQL).to_dicts()}  # fmt: skip
    found = []
    for item in rows:
        year = int(item["as_of"][:4])
        base = {"programme": item["programme"], "district_code": item["district"],
                "indicator": item["indicator"],
                "subject": item["title"], "item": item["id"], "deadline": item["deadline"],
                "year": year, "count": None, "persons_needed": None}  # fmt: skip
        figures = now.get((item["district"], item["programme"], item["indicator"], year), {})
        numbers = {k: figures.get(k) for k in ("value", "target", "expected", "gap", "unit")}
        if item["status"] == "overdue":
            found.append({"key": f"supervision_overdue|{item['id']}", "rule": "supervision_overdue",
                          **base, **numbers})  # fmt: skip
        if figures.get("status") in ("on_track", "met"):
            found.append({"key": f"supervision_recovered|{item['id']}",
                          "rule": "supervision_recovered", **base, **numbers})  # fmt: skip
    return pl.DataFrame(found, infer_schema_length=None)


def update(con: duckdb.DuckDBPyConnection, settings: Settings, run_id: int) -> dict[str, int]:
    """Apply the lifecycle for this run; returns how many were raised, kept and resolved."""
    now = datetime.now()
    current = pl.concat(
        [conditions(con, settings, run_id), supervision_conditions(con, settings)],
        how="diagonal_relaxed",
    )
    names = names_of(con)
    open_keys = {
        r[0] for r in con.execute("select key from notifications where status = 'open'").fetchall()
    }
    known = {r[0] for r in con.execute("select key from notifications").fetchall()}
    rows = current.to_dicts()
    now_keys = {r["key"] for r in rows}
    raised = kept = 0
    con.execute("begin transaction")
    try:
        for r in rows:
            zh, en, link = message(r, names)
            numbers = [
                r["value"],
                r["target"],
                r["expected"],
                r["gap"],
                r["persons_needed"],
                r["unit"],
                r["count"],
                zh,
                en,
                link,
            ]
            if r["key"] in open_keys:
                kept += 1
                con.execute(
                    "update notifications set last_seen_run = ?, value = ?, target = ?, expected = ?, gap = ?, "
                    "persons_needed = ?, unit = ?, count = ?, message_zh = ?, message_en = ?, link = ?, "
                    "year = ? where key = ? and status = 'open'",
                    [run_id, *numbers, r["year"], r["key"]],
                )
            else:
                raised += 1
                if r["key"] in known:  # it had resolved and holds again: raised anew
                    con.execute("delete from notifications where key = ?", [r["key"]])
                con.execute(
                    "insert into notifications values (?, ?, ?, ?, ?, 'open', ?, ?, ?, null, null, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        r["key"],
                        r["rule"],
                        r["programme"],
                        r["district_code"],
                        r["subject"],
                        run_id,
                        now,
                        run_id,
                        *numbers,
                        r["year"],
                    ],
                )
        gone = open_keys - now_keys
        for key in gone:
            con.execute(
                "update notifications set status = 'resolved', resolved_run = ?, resolved_at = ? where key = ?",
                [run_id, now, key],
            )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return {"raised": raised, "kept": kept, "resolved": len(gone)}
