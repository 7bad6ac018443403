"""`make run` on a fresh clone serves HTTP 200 within 3 minutes (installs, loads the demo)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_make_run_on_a_fresh_clone_serves_within_three_minutes(tmp_path):
    if not (ROOT / ".git").exists():
        pytest.skip("needs the git repository to clone")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    port = _free_port()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("REHAB_MONITOR_", "VIRTUAL_ENV"))
    }
    started = time.monotonic()
    proc = subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        status = None
        while time.monotonic() - started < 180 and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    status = r.status
                    break
            except OSError:
                time.sleep(2)
        elapsed = time.monotonic() - started
        if status != 200:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
            output = proc.communicate(timeout=30)[0].decode(errors="replace")
            pytest.fail(f"no HTTP 200 after {elapsed:.0f}s; output:\n{output[-3000:]}")
        assert elapsed < 180
        assert (clone / "data" / "published.json").exists()
        # The demo accounts it printed log in.
        logins = json.loads((clone / "data" / "demo-logins.txt").read_text(encoding="utf-8"))
        admin = next(x for x in logins if x["role"] == "admin")
        form = urllib.parse.urlencode(
            {"name": admin["name"], "password": admin["password"]}
        ).encode()
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            opener.open(f"http://127.0.0.1:{port}/login", data=form, timeout=10)
            pytest.fail("the login did not redirect")
        except urllib.error.HTTPError as answer:
            assert answer.code == 302 and "rehab_session=" in answer.headers["Set-Cookie"]
        os.killpg(proc.pid, signal.SIGTERM)
        output = proc.communicate(timeout=30)[0].decode(errors="replace")
        assert "演示账号 / demo logins" in output and admin["password"] in output
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
