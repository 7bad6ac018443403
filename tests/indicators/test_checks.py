"""Mart checks: each catches the fault it names, and a broken mart is never published."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from pipelines.indicators import checks, marts
from pipelines.run import run_pipeline
from pipelines.settings import load_settings
from tests.conftest import TODAY, put


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, demo_inbox):
    settings = load_settings(tmp_path_factory.mktemp("checks") / "data", jurisdiction="211200")
    run_pipeline(settings, demo_inbox, today=TODAY)
    return settings


def _one(where: str, table: str = "indicator_values") -> str:
    return f"rowid = (select min(rowid) from {table} where {where})"


DISTRICT = _one("unit_level = 'district'")
RATIO = _one("unit = 'ratio' and numerator > 0")
CAPABILITY = _one("unit_level = 'city' and indicator = 'district_capability' and numerator > 0")
BREAKERS = {
    "values_unique": "insert into indicator_values select * from indicator_values limit 1",
    "monthly_unique": "insert into indicator_monthly select * from indicator_monthly limit 1",
    "status_known": f"update indicator_values set status = 'fine' where {_one('true')}",
    "indicator_of_programme": f"update indicator_values set indicator = 'x' where {_one('true')}",
    "units_in_jurisdiction": f"update indicator_values set unit_code = '210102' where {DISTRICT}",
    "districts_complete": f"delete from indicator_values where {DISTRICT}",
    "ratio_consistent": f"update indicator_values set value = value / 2 where {RATIO}",
    "additive_sums": (
        "update indicator_values set numerator = numerator - 1, "
        f"value = (numerator - 1) / denominator where {CAPABILITY}"
    ),
}
# Checks of a province's prefecture rows, broken on the province demo.
PREFECTURE = _one("unit_level = 'prefecture' and numerator > 0")
PREFECTURE_BREAKERS = {
    "prefectures_complete": f"delete from indicator_values where {PREFECTURE}",
    "prefecture_sums": f"update indicator_values set numerator = numerator + 1 where {PREFECTURE}",
    "units_in_jurisdiction": f"update indicator_values set unit_code = '999900' where {PREFECTURE}",
}


def test_the_demo_marts_pass_every_check(loaded):
    con = duckdb.connect(str(loaded.warehouse_path), read_only=True)
    try:
        assert checks.run_checks(con) == []
    finally:
        con.close()
    assert set(BREAKERS) | set(PREFECTURE_BREAKERS) == {c.name for c in checks.checks()}


def test_the_province_marts_pass_every_check_and_hold_its_cities(province):
    con = duckdb.connect(str(province.warehouse_path), read_only=True)
    try:
        assert checks.run_checks(con) == []
        cities = con.execute(
            "select count(distinct unit_code), count(distinct district_name) from indicator_values "
            "where unit_level = 'prefecture'"
        ).fetchall()
    finally:
        con.close()
    assert cities == [(14, 14)]  # 辽宁省's 14 cities


@pytest.mark.parametrize(
    "name, which",
    [(n, "city") for n in sorted(BREAKERS)]
    + [(n, "province") for n in sorted(PREFECTURE_BREAKERS)],
)
def test_each_check_catches_its_fault(request, tmp_path, name, which):
    loaded = request.getfixturevalue("loaded" if which == "city" else "province")
    breakers = BREAKERS if which == "city" else PREFECTURE_BREAKERS
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(loaded.warehouse_path, copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute(breakers[name])
        failed = {f.check: f for f in checks.run_checks(con)}
    finally:
        con.close()
    assert name in failed and failed[name].rows >= 1 and failed[name].sample


def test_a_broken_mart_fails_the_run_and_the_published_snapshot_stays(tmp_path, monkeypatch, inbox):
    settings = load_settings(tmp_path / "data", jurisdiction="211200")
    put(inbox, "_base_cases.csv")
    run_pipeline(settings, inbox, today=TODAY)
    before = json.loads(settings.published_pointer.read_text(encoding="utf-8"))

    refresh = marts.refresh

    def broken(con, settings, engine=None):
        refresh(con, settings, engine)
        con.execute(BREAKERS["values_unique"])

    monkeypatch.setattr(marts, "refresh", broken)
    put(inbox, "cases_gender_invalid.csv")
    with pytest.raises(checks.ChecksFailed, match="values_unique"):
        run_pipeline(settings, inbox, today=TODAY)

    assert json.loads(settings.published_pointer.read_text(encoding="utf-8")) == before
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        status, error = con.execute(
            "select status, error from runs order by run_id desc limit 1"
        ).fetchone()
    finally:
        con.close()
    assert status == "failed" and "values_unique" in error


def test_figures_computed_on_request_run_at_most_two_at_a_time(monkeypatch):
    import threading
    import time

    from pipelines.indicators import compute

    running, most = [0], [0]
    lock = threading.Lock()

    def slow_prepare(_con, _periods):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.2)
        with lock:
            running[0] -= 1

    monkeypatch.setattr(compute, "_prepare", slow_prepare)
    monkeypatch.setattr(compute, "frame", lambda *_a, **_k: None)
    threads = [
        threading.Thread(target=compute.compute_values, args=(None, [], 5.0)) for _ in range(6)
    ]
    threads += [
        threading.Thread(target=compute.compute_breakdowns, args=(None, [])) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == compute.ON_DEMAND_SLOTS == 2
