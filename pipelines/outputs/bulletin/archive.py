"""The bulletin archive: every issued bulletin, one JSON line each, beside its document."""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.settings import Settings


def index_path(settings: Settings) -> Path:
    return settings.data_dir / "bulletins" / "index.jsonl"


def archived(settings: Settings) -> list[dict]:
    """Every issued bulletin, oldest first."""
    path = index_path(settings)
    if not path.exists():
        return []
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
