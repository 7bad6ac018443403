"""Supervision items (督办单, §11): the office opens an item for a lagging district with the
figures frozen from the published snapshot, the district answers with a rectification report
(and an optional attachment), the office closes it (销号) or returns it. Kept in the app store
beside users and the audit log; every step is an event and nothing is ever deleted.

An item's state is open, answered or closed; an open item past its deadline shows as overdue.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from pipelines.ops import accounts
from pipelines.settings import Settings

_SCHEMA = """
create table if not exists supervision_items (
    id integer primary key autoincrement,
    year integer not null,
    number integer not null,        -- within the year: 督办〔2025〕3号
    district text not null,
    programme text not null,
    indicator text not null,
    origin text not null,           -- a notification's key, or the page it was opened from
    as_of text not null,            -- the date of the frozen figures
    snapshot text,
    unit text,
    value real,
    target real,
    expected real,
    gap real,
    numerator real,
    denominator real,
    status_at_open text,
    action text not null,
    deadline text not null,
    responsible text not null,
    state text not null,            -- open, answered, closed
    opened_by text not null,
    opened_at text not null,
    updated_at text not null
);
create index if not exists supervision_items_district on supervision_items (district, state);
create table if not exists supervision_events (
    id integer primary key autoincrement,
    item integer not null,
    at text not null,
    user text not null,
    kind text not null,             -- open, answer, return, close
    text text,
    attachment text,                -- the stored file's name in DATA_DIR/supervision
    attachment_name text,           -- the name it was uploaded with
    attachment_size integer
);
create index if not exists supervision_events_item on supervision_events (item, id);
-- Progress of the policy's tasks per district (pipelines/ops/tasks.py): a district reports,
-- the office confirms; every row is kept, the latest report is the status.
create table if not exists task_reports (
    id integer primary key autoincrement,
    programme text not null,
    number text not null,
    district text not null,
    kind text not null,             -- report, confirm
    status text,                    -- not_started, in_progress, done (reports)
    note text,
    at text not null,
    user text not null
);
create index if not exists task_reports_key on task_reports (programme, district, number, id);
"""
STATES = ("open", "answered", "closed")
# What a list of items shows per item: the state, or overdue / returned for an open one.
STATUSES = ("open", "returned", "overdue", "answered", "closed")
# The figures frozen when an item is opened (the mart's columns of the same names).
FIGURES = ("unit", "value", "target", "expected", "gap", "numerator", "denominator")
MAX_TEXT = 2000
ATTACHMENT_TYPES = (".docx", ".pdf", ".xlsx")
# The part each Office Open XML type must hold (a .docx renamed .xlsx is refused).
_OOXML_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}

_created: set[Path] = set()


class SupervisionError(ValueError):
    """A request that cannot be honoured; the message is Chinese / English."""


@dataclass(frozen=True)
class Attachment:
    name: str  # as uploaded (path parts removed)
    content: bytes


@contextmanager
def store(settings: Settings) -> Iterator[sqlite3.Connection]:
    """The app store with the supervision tables made sure of (once per process and file);
    rows come as sqlite3.Row, committed on success."""
    with accounts.connect(settings) as con:
        if settings.app_db_path not in _created:
            con.executescript(_SCHEMA)
            _created.add(settings.app_db_path)
        con.row_factory = sqlite3.Row
        yield con


def local_now(settings: Settings) -> str:
    """Now in the installation's time zone, on its day (REHAB_MONITOR_TODAY reproduces a past
    day), to the second."""
    now = datetime.now(ZoneInfo(settings.timezone)).replace(tzinfo=None, microsecond=0)
    return datetime.combine(settings.current_date(), now.time()).isoformat()


def _clean(text: str | None, what_zh: str, what_en: str, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise SupervisionError(f"请填写{what_zh} / {what_en} is required")
    if len(text) > MAX_TEXT:
        raise SupervisionError(
            f"{what_zh}不能超过{MAX_TEXT}字 / {what_en} must be at most {MAX_TEXT} characters"
        )
    return text


def item_number(year: int, number: int) -> str:
    """How an item is cited: 督办〔2025〕3号."""
    return f"督办〔{year}〕{number}号"


def open_item(
    settings: Settings,
    by: str,
    *,
    district: str,
    programme: str,
    indicator: str,
    origin: str,
    as_of: date,
    snapshot: str | None,
    figures: dict,
    action: str,
    deadline: date,
    responsible: str,
    ip: str | None = None,
) -> int:
    """Record a new item with its frozen figures; returns its id. Audited."""
    action = _clean(action, "整改要求", "the required action")
    responsible = _clean(responsible, "责任单位", "the responsible unit")
    today = settings.current_date()
    if deadline < today:
        raise SupervisionError("办结时限不能早于今天 / the deadline cannot be in the past")
    now = local_now(settings)
    with store(settings) as con:
        number = con.execute(
            "select coalesce(max(number), 0) + 1 from supervision_items where year = ?",
            [today.year],
        ).fetchone()[0]
        item = con.execute(
            "insert into supervision_items (year, number, district, programme, indicator, origin, "
            "as_of, snapshot, unit, value, target, expected, gap, numerator, denominator, "
            "status_at_open, action, deadline, responsible, state, opened_by, opened_at, "
            "updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', "
            "?, ?, ?)",
            [today.year, number, district, programme, indicator, origin[:200], as_of.isoformat(),
             snapshot, *(figures.get(f) for f in FIGURES), figures.get("status"), action,
             deadline.isoformat(), responsible, by, now, now],
        ).lastrowid  # fmt: skip
        con.execute(
            "insert into supervision_events (item, at, user, kind, text) values (?, ?, ?, 'open', ?)",
            [item, now, by, action],
        )
    accounts.audit(settings, by, "supervision_open", item_number(today.year, number),
                   f"district={district} programme={programme} indicator={indicator} "
                   f"deadline={deadline.isoformat()} origin={origin[:120]}", ip)  # fmt: skip
    return item


def status_of(row: dict, today: date) -> str:
    """The status a list shows: overdue for an open item past its deadline, returned for an
    open item the office sent back, else its state."""
    if row["state"] == "open":
        if date.fromisoformat(row["deadline"]) < today:
            return "overdue"
        if row.get("returned"):
            return "returned"
    return row["state"]


_ITEMS_SQL = """
select i.*,
    (select kind from supervision_events e where e.item = i.id and e.kind != 'open'
     order by e.id desc limit 1) = 'return' as returned,
    (select at from supervision_events e where e.item = i.id and e.kind = 'answer'
     order by e.id desc limit 1) as answered_at,
    (select at from supervision_events e where e.item = i.id and e.kind = 'close'
     order by e.id desc limit 1) as closed_at
from supervision_items i
"""


def items(
    settings: Settings, district: str | None = None, item_id: int | None = None
) -> list[dict]:
    """Items, newest first, with their status as of today; only `district`'s when given."""
    where, params = [], []
    if district is not None:
        where.append("i.district = ?")
        params.append(district)
    if item_id is not None:
        where.append("i.id = ?")
        params.append(item_id)
    if (
        not settings.app_db_path.exists()
    ):  # a pipeline or bulletin on a data directory the app never used
        return []
    sql = _ITEMS_SQL + (" where " + " and ".join(where) if where else "") + " order by i.id desc"
    today = settings.current_date()
    with store(settings) as con:
        rows = [dict(r) for r in con.execute(sql, params).fetchall()]
    for r in rows:
        r["returned"] = bool(r["returned"])
        r["status"] = status_of(r, today)
        r["title"] = item_number(r["year"], r["number"])
    return rows


def item(settings: Settings, item_id: int) -> dict | None:
    found = items(settings, item_id=item_id)
    return found[0] if found else None


def events(settings: Settings, item_id: int) -> list[dict]:
    """An item's history, oldest first."""
    with store(settings) as con:
        return [
            dict(r)
            for r in con.execute(
                "select * from supervision_events where item = ? order by id", [item_id]
            ).fetchall()
        ]


def attachment_folder(settings: Settings) -> Path:
    return settings.data_dir / "supervision"


def check_attachment(settings: Settings, attachment: Attachment) -> str:
    """The attachment's type (.docx/.pdf/.xlsx) when its extension, content and size agree;
    raises SupervisionError otherwise."""
    name = Path(attachment.name.replace("\\", "/")).name
    suffix = Path(name).suffix.lower()
    if suffix not in ATTACHMENT_TYPES:
        raise SupervisionError(
            f"附件只能是 .docx、.pdf 或 .xlsx：{name} / the attachment must be .docx, .pdf or .xlsx: {name}"
        )
    limit = settings.attachment_mb * 1024 * 1024
    if len(attachment.content) > limit:
        raise SupervisionError(
            f"附件超过{settings.attachment_mb}MB：{name} / the attachment is larger than "
            f"{settings.attachment_mb} MB: {name}"
        )
    content = attachment.content
    if suffix == ".pdf":
        ok = content.startswith(b"%PDF-")
    else:
        try:
            with zipfile.ZipFile(BytesIO(content)) as z:
                ok = _OOXML_PART[suffix] in z.namelist()
        except zipfile.BadZipFile:
            ok = False
    if not ok:
        raise SupervisionError(
            f"附件内容与类型{suffix}不符：{name} / the file's content is not {suffix}: {name}"
        )
    return suffix


def _save_attachment(settings: Settings, item_id: int, attachment: Attachment) -> tuple[str, str]:
    """Write the attachment owner-only (0600) under DATA_DIR/supervision; returns (stored name,
    name as uploaded)."""
    suffix = check_attachment(settings, attachment)
    shown = Path(attachment.name.replace("\\", "/")).name[:120]
    folder = attachment_folder(settings)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stored = f"{item_id}_{secrets.token_hex(8)}{suffix}"
    path = folder / stored
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_bytes(attachment.content)
    return stored, shown


def _step(settings: Settings, item_id: int, by: str, kind: str, text: str, expect: tuple[str, ...],
          state: str, attachment: Attachment | None = None, ip: str | None = None) -> None:  # fmt: skip
    found = item(settings, item_id)
    if found is None:
        raise SupervisionError(f"没有该督办事项 / no such item: {item_id}")
    if found["state"] not in expect:
        raise SupervisionError(
            f"{found['title']}当前状态不能执行此操作 / {found['title']} is {found['state']}: "
            f"cannot {kind}"
        )
    stored = shown = None
    if attachment is not None and attachment.content:
        stored, shown = _save_attachment(settings, item_id, attachment)
    now = local_now(settings)
    with store(settings) as con:
        changed = con.execute(
            "update supervision_items set state = ?, updated_at = ? where id = ? and state = ?",
            [state, now, item_id, found["state"]],
        ).rowcount
        if not changed:  # someone else acted on it meanwhile
            raise SupervisionError(
                "该事项刚被他人处理，请刷新 / the item changed meanwhile; reload"
            )
        con.execute(
            "insert into supervision_events (item, at, user, kind, text, attachment, "
            "attachment_name, attachment_size) values (?, ?, ?, ?, ?, ?, ?, ?)",
            [item_id, now, by, kind, text, stored, shown,
             len(attachment.content) if stored and attachment else None],
        )  # fmt: skip
    detail = f"district={found['district']}" + (f" attachment={shown}" if shown else "")
    accounts.audit(settings, by, f"supervision_{kind}", found["title"], detail, ip)


def answer(settings: Settings, item_id: int, by: str, report: str,
           attachment: Attachment | None = None, ip: str | None = None) -> None:  # fmt: skip
    """The district's rectification report (and attachment); the item becomes answered."""
    report = _clean(report, "整改情况", "the rectification report")
    _step(settings, item_id, by, "answer", report, ("open",), "answered", attachment, ip)


def close(settings: Settings, item_id: int, by: str, comment: str | None = None,
          ip: str | None = None) -> None:  # fmt: skip
    """The office accepts the answer (销号)."""
    comment = _clean(comment, "销号意见", "the comment", required=False)
    _step(settings, item_id, by, "close", comment, ("answered",), "closed", None, ip)


def send_back(settings: Settings, item_id: int, by: str, comment: str,
              ip: str | None = None) -> None:  # fmt: skip
    """The office returns the answer with a comment; the item is open again."""
    comment = _clean(comment, "退回意见", "the comment")
    _step(settings, item_id, by, "return", comment, ("answered",), "open", None, ip)


def attachment_path(settings: Settings, event_id: int) -> tuple[dict, Path]:
    """(event, file) of an event's attachment."""
    with store(settings) as con:
        row = con.execute(
            "select * from supervision_events where id = ? and attachment is not null", [event_id]
        ).fetchone()
    if row is None or not re.fullmatch(r"\d+_[0-9a-f]{16}\.(docx|pdf|xlsx)", row["attachment"]):
        raise FileNotFoundError(event_id)
    return dict(row), attachment_folder(settings) / row["attachment"]


def digest(settings: Settings) -> str:
    """A fingerprint of every item's status today: when it changes (an item opened, overdue,
    answered, closed) the next run republishes, so the feed's 督办 notices follow."""
    if not settings.app_db_path.exists():
        return ""
    text = ";".join(f"{r['id']}:{r['status']}" for r in items(settings))
    return hashlib.sha256(text.encode()).hexdigest() if text else ""


def in_period(rows: list[dict], start: date, end: date, today: date) -> dict[str, list[dict]]:
    """A bulletin's view of the items: those opened, answered and closed in [start, end], and
    those overdue (open, deadline passed) as they stand when the bulletin is made."""

    def within(at: str | None) -> bool:
        return at is not None and start <= date.fromisoformat(at[:10]) <= end

    return {
        "opened": [r for r in rows if within(r["opened_at"])],
        "answered": [r for r in rows if within(r["answered_at"])],
        "closed": [r for r in rows if within(r["closed_at"])],
        "overdue": [r for r in rows if r["opened_at"][:10] <= end.isoformat()
                    and status_of(r, today) == "overdue"],
    }  # fmt: skip
