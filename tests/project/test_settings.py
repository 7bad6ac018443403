from pathlib import Path

import pytest

from pipelines.settings import load_settings


def test_environment_then_arguments(monkeypatch, tmp_path):
    monkeypatch.setenv("REHAB_MONITOR_DATA", str(tmp_path / "env"))
    monkeypatch.setenv("REHAB_MONITOR_LAGGING_POINTS", "3.5")
    s = load_settings()
    assert s.data_dir == tmp_path / "env" and s.lagging_points == 3.5
    assert load_settings(tmp_path / "arg").data_dir == tmp_path / "arg"
    assert load_settings(tmp_path).warehouse_path == tmp_path / "warehouse.duckdb"


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        load_settings(Path("x"), jurisdiction="21")
    with pytest.raises(ValueError):
        load_settings(Path("x"), schedule_time="25:99")
