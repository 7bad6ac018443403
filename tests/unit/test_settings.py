from pathlib import Path

import pytest

from pipelines.cli import build_parser
from pipelines.settings import describe, load_settings


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


def test_every_setting_is_documented_in_the_readme():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for _name, env, _default, _help in describe():
        assert env in readme, f"{env} is not in the README"


def test_every_command_is_documented_in_the_readme():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    sub = build_parser()._subparsers._group_actions[0]
    for command in sub.choices:
        assert f"rehab-monitor {command}" in readme, command
