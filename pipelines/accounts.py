"""Users, roles and the audit log, in a small transactional store beside the analytics
snapshots (SQLite in WAL mode), so the app can write while a pipeline run publishes.

Passwords are hashed with scrypt (memory-hard, in Python's standard library).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from pipelines.regions import jurisdiction
from pipelines.settings import Settings

ROLES = ("admin", "leader", "office", "analyst", "district")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
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
"""


class AccountError(ValueError):
    """A user request that cannot be honoured (unknown role, weak password …)."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    district: str | None
    disabled: bool


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT, dklen=32)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if kind != "scrypt":
        return False
    candidate = hashlib.scrypt(
        password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
    )
    return hmac.compare_digest(candidate.hex(), digest)


@contextmanager
def connect(settings: Settings) -> Iterator[sqlite3.Connection]:
    """A connection to the app store (created on first use), committed on success."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(settings.app_db_path, timeout=10)
    try:
        con.execute("pragma journal_mode=wal")
        con.executescript(_SCHEMA)
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
    return User(row[0], row[1], row[2], False)
