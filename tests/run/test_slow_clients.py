"""`rehab-monitor serve` keeps answering while many clients hold connections open and send
nothing, half a request, or a request's body a byte at a time (slowloris)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

IDLE = 60  # connect and send nothing
HALF_HEADERS = 60  # a request line and some headers, never the blank line that ends them
HALF_BODY = 30  # headers announcing a body that never comes whole
TRICKLE_SECONDS = 1.0  # the half-open ones send one more byte this often, so none is idle


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float) -> int:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        response.read()
        return response.status


@pytest.fixture
def served(tmp_path: Path):
    """The real `rehab-monitor serve` on a free port over an empty data directory."""
    port = _free_port()
    env = {**os.environ, "REHAB_MONITOR_JURISDICTION": "211200"}
    cli = [sys.executable, "-m", "pipelines.cli", "--data-dir", str(tmp_path / "data")]
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            _get(url + "/login", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError((tmp_path / "serve.log").read_text()) from None
            time.sleep(0.5)
    try:
        yield port, proc.pid, tmp_path / "data"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def _open(port: int) -> list[socket.socket]:
    """The slow clients' sockets, each left in the middle of its request."""
    socks = []
    for i in range(IDLE + HALF_HEADERS + HALF_BODY):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        if i >= IDLE + HALF_HEADERS:
            s.sendall(
                b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-"
                b"urlencoded\r\nContent-Length: 100000\r\n\r\nname="
            )
        elif i >= IDLE:
            s.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\nUser-Agent: slow")
        socks.append(s)
    return socks


def test_a_normal_request_is_answered_while_150_slow_clients_hold_connections(served):
    port, _pid, _data = served
    socks = _open(port)
    stop = threading.Event()

    def trickle() -> None:
        while not stop.wait(TRICKLE_SECONDS):
            for s in socks[IDLE:]:
                with contextlib.suppress(OSError):  # the server may close a slow client
                    s.sendall(b"x")

    trickler = threading.Thread(target=trickle, daemon=True)
    trickler.start()
    try:
        time.sleep(2 * TRICKLE_SECONDS)  # the slow clients are all in, trickling
        # Served at all is what counts: the bound is generous for a busy CI machine, far
        # below the minutes a server with every worker held would take.
        assert _get(f"http://127.0.0.1:{port}/login", timeout=10) == 200
        assert _get(f"http://127.0.0.1:{port}/assets/style.css", timeout=10) == 200
    finally:
        stop.set()
        trickler.join()
        for s in socks:
            s.close()
    # Once they are gone the server is as before.
    for _ in range(5):
        assert _get(f"http://127.0.0.1:{port}/login", timeout=10) == 200


def test_a_large_body_being_received_is_spooled_inside_the_data_directory(served):
    """An upload (raw identities) larger than waitress keeps in memory goes to an unnamed
    temporary file in the data directory's owner-only work area, not the system's /tmp."""
    port, pid, data = served
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(
            b"POST /_dash-update-component HTTP/1.1\r\nHost: x\r\nContent-Type: application/"
            b"json\r\nContent-Length: 4000000\r\n\r\n" + b"x" * 1_500_000
        )
        deadline = time.monotonic() + 20
        spooled: list[str] = []
        while not spooled and time.monotonic() < deadline:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    target = os.readlink(fd)
                    if "(deleted)" in target or "#" in Path(target).name:
                        spooled.append(target)
            time.sleep(0.2)
    assert spooled, "the body was not spooled to a file"
    work = str((data / "inbox" / ".work").resolve())
    assert all(t.startswith(work) for t in spooled), spooled
