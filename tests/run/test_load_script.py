"""The load test script runs end to end (a short, small version of the documented one)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_load_script_reports_and_writes_its_section(tmp_path):
    out = tmp_path / "performance.md"
    out.write_text("# Performance\n\n## Other\n\nkept\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "load_test.py"), "--scale", "small",
         "--users", "4", "--seconds", "4", "--out", str(out)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "errors: 0" in done.stdout
    text = out.read_text(encoding="utf-8")
    assert "## Other\n\nkept" in text and "## Load test" in text
    assert "| overview callback |" in text and "| district callback |" in text
