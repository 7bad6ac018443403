"""The bulletin archive: every issued bulletin, one JSON line each, beside its document.

Numbering and the index are written under a lock, and the index is replaced atomically, so two
generations at once get different numbers and a killed one never leaves a torn line; a line
that cannot be read (an older torn file) is skipped, not fatal."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from pipelines.ops import locks
from pipelines.settings import Settings


def folder(settings: Settings) -> Path:
    return settings.data_dir / "bulletins"


def index_path(settings: Settings) -> Path:
    return folder(settings) / "index.jsonl"


def archived(settings: Settings) -> list[dict]:
    """Every issued bulletin, oldest first (unreadable lines skipped)."""
    path = index_path(settings)
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict) and {"programme", "year", "number", "file"} <= set(entry):
            entries.append(entry)
    return entries


def issue(settings: Settings, key: str, year: int, write: Callable[[int, Path], dict]) -> dict:
    """Number the next bulletin of `key` in `year`, let `write(number_in_year, path)` write
    the document and return its archive entry, and append the entry to the index — all under
    the archive lock."""
    folder(settings).mkdir(parents=True, exist_ok=True)
    busy = RuntimeError("通报编号中，请稍后再试 / another bulletin is being numbered; try again")
    with locks.exclusive(folder(settings) / "index.lock", busy, wait=120):
        history = archived(settings)
        number_in_year = sum(b["programme"] == key and b["year"] == year for b in history) + 1
        path = folder(settings) / f"{key}_{year}_{number_in_year:02d}.docx"
        entry = write(number_in_year, path)
        lines = [json.dumps(e, ensure_ascii=False) for e in [*history, entry]]
        tmp = index_path(settings).with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        os.replace(tmp, index_path(settings))
    return entry
