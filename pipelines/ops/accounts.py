"""Users, roles and the audit log, in a small transactional store beside the analytics
snapshots (SQLite in WAL mode), so the app can write while a pipeline run publishes.

Passwords are hashed with argon2id (argon2-cffi, OWASP's parameters); an older scrypt hash is
replaced by an argon2id one at the user's next login.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from pipelines.indicators.regions import jurisdiction
from pipelines.settings import Settings
from schemas.idnumbers import ID15, ID18, mask_id

ROLES = ("admin", "leader", "office", "analyst", "district")
MIN_PASSWORD = 10

_SCHEMA = """
create table if not exists users (
    name text primary key,
    role text not null,
    district text,
    password_hash text not null,
    disabled integer not null default 0,
    created_at text not null,
    updated_at text not null
);
create table if not exists audit (
    id integer primary key autoincrement,
    at text not null,
    user text,
    action text not null,
    target text,
    detail text,
    ip text
);
create index if not exists audit_at on audit (at);
create index if not exists audit_action on audit (action, at);
create table if not exists sessions (
    token_hash text primary key,
    user text not null,
    created_at text not null,
    last_seen text not null,
    ip text
);
"""
# A login lasts at most this long, however active the user is.
SESSION_HOURS = 12
# Failed logins are counted over this window, and a refused login waits it out.
LOCKOUT_MINUTES = 15
AUDIT_ACTIONS = (
    "login", "login_failed", "login_refused", "logout", "session_expired", "page_denied",
    "persons_list", "download", "audit_export", "bulletin_generate", "bulletin_download",
    "upload", "upload_refused", "target_change", "user_add", "user_passwd", "user_disable",
    "request_denied", "request_refused", "rejects_export", "supervision_open",
    "supervision_answer", "supervision_return", "supervision_close", "supervision_download",
    "task_report", "task_confirm", "task_change",
)  # fmt: skip


class AccountError(ValueError):
    """A user request that cannot be honoured (unknown role, weak password …)."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    district: str | None
    disabled: bool


# argon2id with OWASP's parameters (19 MiB, 2 passes): a guess costs an attacker memory, and
# 50 people logging in at once need under 1 GB.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches `stored`: an argon2id hash, or an older scrypt one (which
    `authenticate` replaces at the next login)."""
    if stored.startswith("$argon2"):
        try:
            return _HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
    try:
        kind, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if kind != "scrypt":
        return False
    candidate = hashlib.scrypt(
        password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32,
        maxmem=2**28,
    )  # fmt: skip
    return hmac.compare_digest(candidate.hex(), digest)


def needs_rehash(stored: str) -> bool:
    """An older hash (scrypt, or argon2 with weaker parameters) is upgraded at login."""
    if not stored.startswith("$argon2"):
        return True
    try:
        return _HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


_created: set = set()  # app store files whose schema this process has made sure of


@contextmanager
def connect(settings: Settings) -> Iterator[sqlite3.Connection]:
    """A connection to the app store (created on first use), committed on success."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.app_db_path
    new = path not in _created or not path.exists()
    con = sqlite3.connect(path, timeout=10)
    try:
        if new:  # WAL mode and the tables persist in the file: once per process and file
            con.execute("pragma journal_mode=wal")
            con.executescript(_SCHEMA)
            _created.add(path)
        yield con
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.close()


def audit(settings: Settings, user: str | None, action: str, target: str | None = None,
          detail: str | None = None, ip: str | None = None) -> None:  # fmt: skip
    """Append one line to the audit log."""
    with connect(settings) as con:
        con.execute(
            "insert into audit (at, user, action, target, detail, ip) values (?, ?, ?, ?, ?, ?)",
            [datetime.now().isoformat(timespec="seconds"), user, action, target, detail, ip],
        )


def _check(settings: Settings, role: str, district: str | None, password: str | None) -> None:
    if role not in ROLES:
        raise AccountError(f"角色应为 / role must be one of {', '.join(ROLES)}")
    if role == "district":
        if not district or district not in jurisdiction(settings.jurisdiction).codes:
            raise AccountError(
                "区县用户须指定本辖区的区县代码 / a district user needs a district code of the jurisdiction"
            )
    elif district:
        raise AccountError("只有区县用户绑定区县 / only district users are bound to a district")
    if password is not None and len(password) < MIN_PASSWORD:
        raise AccountError(
            f"密码至少{MIN_PASSWORD}位 / the password needs at least {MIN_PASSWORD} characters"
        )


def add_user(settings: Settings, name: str, role: str, password: str, district: str | None = None,
             by: str = "cli") -> User:  # fmt: skip
    _check(settings, role, district, password)
    now = datetime.now().isoformat(timespec="seconds")
    with connect(settings) as con:
        if con.execute("select 1 from users where name = ?", [name]).fetchone():
            raise AccountError(f"用户已存在 / user exists: {name}")
        con.execute(
            "insert into users values (?, ?, ?, ?, 0, ?, ?)",
            [name, role, district, hash_password(password), now, now],
        )
    audit(settings, by, "user_add", name, f"role={role} district={district or ''}")
    return User(name, role, district, False)


def set_password(settings: Settings, name: str, password: str, by: str = "cli") -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(
            f"密码至少{MIN_PASSWORD}位 / the password needs at least {MIN_PASSWORD} characters"
        )
    with connect(settings) as con:
        changed = con.execute(
            "update users set password_hash = ?, updated_at = ? where name = ?",
            [hash_password(password), datetime.now().isoformat(timespec="seconds"), name],
        ).rowcount
    if not changed:
        raise AccountError(f"没有该用户 / no such user: {name}")
    audit(settings, by, "user_passwd", name)


def disable_user(settings: Settings, name: str, by: str = "cli") -> None:
    with connect(settings) as con:
        changed = con.execute(
            "update users set disabled = 1, updated_at = ? where name = ?",
            [datetime.now().isoformat(timespec="seconds"), name],
        ).rowcount
    if not changed:
        raise AccountError(f"没有该用户 / no such user: {name}")
    audit(settings, by, "user_disable", name)


def users(settings: Settings) -> list[User]:
    with connect(settings) as con:
        rows = con.execute(
            "select name, role, district, disabled from users order by name"
        ).fetchall()
    return [User(n, r, d, bool(x)) for n, r, d, x in rows]


def authenticate(settings: Settings, name: str, password: str) -> User | None:
    """The user if the password matches and the account is active; None otherwise."""
    with connect(settings) as con:
        row = con.execute(
            "select name, role, district, disabled, password_hash from users where name = ?", [name]
        ).fetchone()
    if row is None:
        hash_password(password)  # same work either way: no timing hint that the name exists
        return None
    if row[3] or not verify_password(password, row[4]):
        return None
    if needs_rehash(row[4]):  # the password is known now: store it the current way
        with connect(settings) as con:
            con.execute(
                "update users set password_hash = ? where name = ? and password_hash = ?",
                [hash_password(password), row[0], row[4]],
            )
    return User(row[0], row[1], row[2], False)


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _token_hash(token: str) -> str:
    # Only a hash of the cookie's token is stored: the store's file does not open sessions.
    return hashlib.sha256(token.encode()).hexdigest()


def _active_user(con: sqlite3.Connection, name: str) -> User | None:
    row = con.execute(
        "select name, role, district, disabled from users where name = ?", [name]
    ).fetchone()
    if row is None or row[3]:
        return None
    return User(row[0], row[1], row[2], False)


def recent_failures(settings: Settings, name: str, ip: str | None) -> int:
    """Failed logins for the name from the address within the lock-out window: one person
    guessing never locks out everyone behind the same proxy, nor the name elsewhere."""
    since = (_now() - timedelta(minutes=LOCKOUT_MINUTES)).isoformat()
    with connect(settings) as con:
        return con.execute(
            "select count(*) from audit where action = 'login_failed' and at >= ? "
            "and target = ? and coalesce(ip, '') = coalesce(?, '')",
            [since, audited_name(name), ip],
        ).fetchone()[0]


def audited_name(name: str) -> str:
    """A login name as the audit log keeps it: an ID number typed into the name field is
    masked (6 + 4 characters), like every ID the product shows."""
    compact = re.sub(r"\s", "", name).upper()
    if re.fullmatch(f"{ID18}|{ID15}", compact):
        return mask_id(compact) or ""
    return name


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    token: str | None
    refused: bool  # too many failed attempts: not even a right password is accepted


def login(settings: Settings, name: str, password: str, ip: str | None) -> LoginResult:
    """Check the password (rate-limited per name and per address) and open a session.

    Every outcome is audited: success, wrong password or unknown name, refused."""
    name = (name or "").strip()[:64]
    if recent_failures(settings, name, ip) >= settings.login_attempts:
        audit(settings, None, "login_refused", audited_name(name), "too many failed attempts", ip)
        return LoginResult(None, None, True)
    user = authenticate(settings, name, password or "")
    if user is None:
        audit(settings, None, "login_failed", audited_name(name), None, ip)
        return LoginResult(None, None, False)
    token = secrets.token_urlsafe(32)
    now = _now().isoformat()
    with connect(settings) as con:
        con.execute(
            "insert into sessions values (?, ?, ?, ?, ?)",
            [_token_hash(token), user.name, now, now, ip],
        )
        # Sessions that ended long ago are not kept.
        con.execute(
            "delete from sessions where created_at < ?",
            [(_now() - timedelta(hours=SESSION_HOURS)).isoformat()],
        )
    audit(settings, user.name, "login", None, f"role={user.role}", ip)
    return LoginResult(user, token, False)


def session_user(settings: Settings, token: str | None) -> User | None:
    """The user of a live session: known token, active within the idle timeout, younger than
    SESSION_HOURS, account still enabled. The role and district are read from the store at
    every request, so a disabled account or a changed role takes effect at once."""
    if not token:
        return None
    key = _token_hash(token)
    now = _now()
    with connect(settings) as con:
        row = con.execute(
            "select user, created_at, last_seen, ip from sessions where token_hash = ?", [key]
        ).fetchone()
        if row is None:
            return None
        name, created, seen, ip = row
        idle = now - datetime.fromisoformat(seen) > timedelta(minutes=settings.idle_minutes)
        old = now - datetime.fromisoformat(created) > timedelta(hours=SESSION_HOURS)
        user = _active_user(con, name)
        if idle or old or user is None:
            con.execute("delete from sessions where token_hash = ?", [key])
        elif now - datetime.fromisoformat(seen) > timedelta(seconds=30):
            con.execute(
                "update sessions set last_seen = ? where token_hash = ?", [now.isoformat(), key]
            )
    if idle or old:
        audit(settings, name, "session_expired", None, "idle" if idle else "age", ip)
        return None
    return user


def end_session(settings: Settings, token: str | None, ip: str | None = None) -> None:
    if not token:
        return
    with connect(settings) as con:
        row = con.execute(
            "delete from sessions where token_hash = ? returning user", [_token_hash(token)]
        ).fetchone()
    if row:
        audit(settings, row[0], "logout", None, None, ip)


def search_audit(
    settings: Settings,
    user: str | None = None,
    action: str | None = None,
    since: str | None = None,
    until: str | None = None,
    text: str | None = None,
    limit: int = 10_000,
) -> list[dict]:
    """Audit lines, newest first, filtered by user, action, date range (YYYY-MM-DD, inclusive)
    and a text in target or detail."""
    where, params = [], []
    if user:
        where.append("user = ?")
        params.append(user)
    if action:
        where.append("action = ?")
        params.append(action)
    if since:
        where.append("at >= ?")
        params.append(since[:10])
    if until:
        where.append("at < date(?, '+1 day')")
        params.append(until[:10])
    if text:
        where.append("(instr(coalesce(target, ''), ?) > 0 or instr(coalesce(detail, ''), ?) > 0)")
        params += [text, text]
    sql = "select id, at, user, action, target, detail, ip from audit"
    if where:
        sql += " where " + " and ".join(where)
    sql += " order by id desc limit ?"
    with connect(settings) as con:
        con.row_factory = sqlite3.Row
        return [dict(r) for r in con.execute(sql, [*params, limit]).fetchall()]


DEMO_ROLES = ("admin", "leader", "office", "analyst", "district")


def demo_logins(settings: Settings) -> list[dict]:
    """The demo accounts the demo load created (name, role, password, district), if any."""
    try:
        return json.loads(settings.demo_logins_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []


def ensure_demo_users(settings: Settings) -> list[dict]:
    """On an installation without users: one account per role (the district account bound to
    the jurisdiction's first district) with generated passwords, written to the data directory
    (0600) so `make run` can say how to log in. Returns what the file lists."""
    path = settings.demo_logins_path
    if path.exists():
        return demo_logins(settings)
    if users(settings):
        return []
    first = jurisdiction(settings.jurisdiction).units[0]
    logins = []
    for role in DEMO_ROLES:
        name = f"{role}-{first.code}" if role == "district" else role
        password = secrets.token_urlsafe(9)
        add_user(
            settings, name, role, password, first.code if role == "district" else None, by="demo"
        )
        logins.append({"name": name, "role": role, "password": password,
                       "district": first.name if role == "district" else ""})  # fmt: skip
    path.touch(mode=0o600)
    path.write_text(json.dumps(logins, ensure_ascii=False, indent=1), encoding="utf-8")
    return logins
