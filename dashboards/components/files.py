"""Handing a file written for one download to the browser."""

from __future__ import annotations

from pathlib import Path

from dash import dcc


def send_once(path: Path) -> dict:
    """The file as a dcc.Download payload; the file and its temporary folder are removed."""
    data = dcc.send_bytes(path.read_bytes(), filename=path.name)
    path.unlink(missing_ok=True)
    path.parent.rmdir()
    return data
