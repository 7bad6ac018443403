"""What a newcomer reads is complete: every setting with its default, every command and option
in the README; every text the app shows exists in Chinese and English."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from dashboards.i18n.catalogue import TEXT
from pipelines.cli import build_parser
from pipelines.settings import describe

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented_with_its_default():
    rows = {
        line.split("|")[1].strip(" `"): line
        for line in README.splitlines()
        if line.startswith("| `REHAB_")
    }
    for _name, env, default, _help in describe():
        assert env in rows, f"{env} is not in the README's settings table"
        assert (f"`{default}`" if default else "(empty") in rows[env], f"{env}: default {default!r}"


def _commands():
    """(command path, its options) for every command of the CLI."""

    def walk(parser, path):
        subs = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
        if not subs:
            options = {o for a in parser._actions for o in a.option_strings if o.startswith("--")}
            yield path, options - {"--help", "--data-dir"}
        for action in subs:
            for name, child in action.choices.items():
                yield from walk(child, [*path, name])

    return list(walk(build_parser(), []))


def test_every_command_and_option_is_in_the_readme():
    commands = _commands()
    assert ["pipeline", "run"] in [c for c, _ in commands] and len(commands) >= 10
    for path, options in commands:
        assert f"rehab-monitor {' '.join(path)}" in README, path
        for option in options:
            assert re.search(rf"{re.escape(option)}\b", README), f"{' '.join(path)} {option}"


def test_every_text_has_chinese_and_english():
    missing = [
        k
        for k, v in TEXT.items()
        if not (v.get("zh") or "").strip() or not (v.get("en") or "").strip()
    ]
    assert missing == []


def _text_keys_used() -> tuple[set[str], set[str]]:
    """Keys passed to t() as literals, and the constant prefixes of f-string keys."""
    literal, prefixes = set(), set()
    for path in [ROOT / "app.py", *(ROOT / "dashboards").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "t" and node.args:
                key = node.args[0]
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    literal.add(key.value)
                elif isinstance(key, ast.JoinedStr) and isinstance(key.values[0], ast.Constant):
                    prefixes.add(key.values[0].value)
    return literal, prefixes


def test_every_text_the_app_asks_for_exists():
    literal, prefixes = _text_keys_used()
    assert len(literal) > 100  # the reader finds the app's texts
    assert sorted(k for k in literal if k not in TEXT) == []
    for prefix in prefixes:
        assert any(k.startswith(prefix) for k in TEXT), prefix
