"""Users, password hashing and the audit log (the login itself comes with the access issue)."""

from __future__ import annotations

import io
import sqlite3

import pytest

from pipelines.cli import main
from pipelines.ops import accounts


def _stored(settings, name: str) -> str:
    with sqlite3.connect(settings.app_db_path) as con:
        return con.execute("select password_hash from users where name = ?", [name]).fetchone()[0]


def test_passwords_are_hashed_with_argon2id_and_verified(settings):
    accounts.add_user(settings, "zhang", "analyst", "a long password")
    stored = _stored(settings, "zhang")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$") and "a long password" not in stored
    assert accounts.authenticate(settings, "zhang", "a long password").role == "analyst"
    assert accounts.authenticate(settings, "zhang", "wrong password!") is None
    assert accounts.authenticate(settings, "nobody", "a long password") is None


def test_an_old_scrypt_hash_is_upgraded_at_the_next_login(settings):
    import hashlib

    accounts.add_user(settings, "li", "leader", "a long password")
    salt = bytes(range(16))
    digest = hashlib.scrypt(b"a long password", salt=salt, n=2**14, r=8, p=1, dklen=32)
    with sqlite3.connect(settings.app_db_path) as con:  # as the store held it before
        con.execute("update users set password_hash = ? where name = 'li'",
                    [f"scrypt$16384$8$1${salt.hex()}${digest.hex()}"])  # fmt: skip
    assert accounts.authenticate(settings, "li", "wrong password!") is None
    assert _stored(settings, "li").startswith("scrypt$")  # a wrong password changes nothing
    assert accounts.authenticate(settings, "li", "a long password").role == "leader"
    assert _stored(settings, "li").startswith("$argon2id$")
    assert accounts.authenticate(settings, "li", "a long password").role == "leader"


def test_roles_and_districts_are_checked(settings):
    with pytest.raises(accounts.AccountError):
        accounts.add_user(settings, "x", "superuser", "a long password")
    with pytest.raises(accounts.AccountError):
        accounts.add_user(settings, "x", "district", "a long password")  # needs a district
    with pytest.raises(accounts.AccountError):
        accounts.add_user(
            settings, "x", "district", "a long password", district="210102"
        )  # not ours
    with pytest.raises(accounts.AccountError):
        accounts.add_user(settings, "x", "leader", "short")
    u = accounts.add_user(settings, "xifeng", "district", "a long password", district="211223")
    assert u.district == "211223"


def test_cli_user_commands_and_audit(settings, monkeypatch, capsys):
    data = ["--data-dir", str(settings.data_dir)]
    monkeypatch.setattr("sys.stdin", io.StringIO("first password 1\n"))
    assert main([*data, "user", "add", "admin", "--role", "admin", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("second password 2\n"))
    assert main([*data, "user", "passwd", "admin", "--password-stdin"]) == 0
    assert accounts.authenticate(settings, "admin", "second password 2") is not None
    assert main([*data, "user", "disable", "admin"]) == 0
    assert accounts.authenticate(settings, "admin", "second password 2") is None
    capsys.readouterr()
    assert main([*data, "user", "list"]) == 0
    assert "admin" in capsys.readouterr().out
    actions = [
        r[0]
        for r in sqlite3.connect(settings.app_db_path).execute(
            "select action from audit order by id"
        )
    ]
    assert actions == ["user_add", "user_passwd", "user_disable"]
