"""The benchmark scripts run from a clean checkout and print their tables (small versions)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _run(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def test_pipeline_and_callback_benchmarks(tmp_path):
    doc = tmp_path / "performance.md"
    out = _run("benchmarks/pipeline.py", "--scale", "city", "--repeat", "1", "--keep", str(tmp_path),
               "--doc", str(doc))  # fmt: skip
    assert "| **whole run** |" in out and "| no-change run (all files skipped) |" in out
    assert "## Pipeline, city scale" in doc.read_text(encoding="utf-8")
    out = _run("benchmarks/callbacks.py", "--data-dir", str(tmp_path / "data-0"), "--requests", "3")
    for callback in ("overview", "district", "notifications feed"):
        assert callback in out
    assert "boundaries asset" in out


def test_validation_benchmark():
    out = _run("benchmarks/validation.py", "--rows", "30000", "--repeat", "1")
    assert "pandera ÷ plain" in out


def test_bounded_inputs_benchmark():
    out = _run("benchmarks/bounded_inputs.py", "--blank-mb", "2")
    rows = {line.split("|")[1].strip(): line.split("|")[3].strip() for line in out.splitlines()[2:]}
    assert rows["blank_lines"] == rows["million_columns_later_line"] == "refused 0"
    assert rows["excel_separator_rows (loads)"] == "loaded 4"
