"""Shared fixtures: a data directory per test, the demo inbox built once per session."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from pipelines.settings import Settings, load_settings

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BAD_INPUT = FIXTURES / "bad_input"
# Tests do not depend on the calendar: the demo is written as districts send it on TODAY (its
# records end on 2025-09-30), and every run, CLI call and app in the tests — subprocesses
# included — takes TODAY as today through the setting.
TODAY = date(2025, 10, 8)
os.environ["REHAB_MONITOR_TODAY"] = TODAY.isoformat()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(tmp_path / "data", jurisdiction="211200")


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    path = tmp_path / "inbox"
    path.mkdir()
    return path


def put(inbox: Path, *names: str, source: Path = BAD_INPUT) -> None:
    for name in names:
        shutil.copy(source / name, inbox / name)


@pytest.fixture(scope="session")
def demo_inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipelines.demo import write_demo

    out = tmp_path_factory.mktemp("demo") / "inbox"
    write_demo(out, scale="small", seed=7, jurisdiction="211200", today=TODAY)
    return out


@pytest.fixture(scope="session")
def province(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The small demo written for a province (辽宁省: 14 cities, 100 districts), loaded."""
    from pipelines.demo import write_demo
    from pipelines.run import run_pipeline

    root = tmp_path_factory.mktemp("province")
    write_demo(root / "inbox", scale="small", seed=7, jurisdiction="210000", today=TODAY)
    settings = load_settings(root / "data", jurisdiction="210000")
    run_pipeline(settings, root / "inbox", today=TODAY)
    return settings


PASSWORD = "correct horse battery"


def login(client, settings: Settings, name: str, role: str, district: str | None = None):
    """Create the user (if new) and log the Flask test client in as them."""
    from pipelines.ops import accounts

    if name not in {u.name for u in accounts.users(settings)}:
        accounts.add_user(settings, name, role, PASSWORD, district)
    response = client.post("/login", data={"name": name, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client
