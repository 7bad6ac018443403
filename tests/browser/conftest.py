"""The real app in headless Debian chromium (Playwright drives /usr/bin/chromium)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from pipelines.ops import accounts
from pipelines.settings import load_settings
from tests.conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


USERS = [("admin", "admin", None), ("chief", "leader", None), ("yinzhou", "district", "211202")]


def log_in(page, url: str, name: str = "admin", next_path: str | None = None) -> None:
    """Log in through the login form, as a user would (to `next_path` if given, as when a
    copied link is opened before logging in)."""
    page.goto(url + (f"/login?next={quote(next_path)}" if next_path else "/login"))
    page.fill("#login-name", name)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#shell-user")


def settled(page) -> None:
    """Wait until the page's callbacks are done: no request for half a second and no Dash
    loading indicator."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')")


def click_map(page, lon_lat: list[float]) -> None:
    """A real mouse click at a longitude and latitude on the map: the pointer rests there
    first, as a user's does (Plotly takes the clicked shape from the hover)."""
    x, y = page.evaluate(
        """(p) => {
            const gd = document.querySelector('#overview-map .js-plotly-plot');
            const map = gd._fullLayout.map._subplot.map;
            const q = map.project(p);
            const box = map.getCanvas().getBoundingClientRect();
            return [box.left + q.x, box.top + q.y];
        }""",
        lon_lat,
    )
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(data: Path, jurisdiction: str):
    """Serve the app on `data` as `rehab-monitor serve` does; yields its URL."""
    settings = load_settings(data, jurisdiction=jurisdiction)
    known = {u.name for u in accounts.users(settings)}
    for name, role, district in USERS:
        if name not in known:
            accounts.add_user(settings, name, role, PASSWORD, district)
    port = _free_port()
    env = {**os.environ, "REHAB_MONITOR_JURISDICTION": jurisdiction}
    cli = [sys.executable, "-m", "pipelines.cli", "--data-dir", str(data)]
    proc = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(url, timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="session")
def server(tmp_path_factory, demo_inbox):
    data = tmp_path_factory.mktemp("browser") / "data"
    shutil.copytree(demo_inbox, data / "inbox")
    cli = [sys.executable, "-m", "pipelines.cli", "--data-dir", str(data)]
    subprocess.run([*cli, "pipeline", "run"], check=True, capture_output=True)
    for url in _serve(data, "211200"):
        yield {"url": url, "data": data}


@pytest.fixture(scope="session")
def province_server(province):
    """The app on the small province demo (辽宁省: 14 cities, 100 districts)."""
    for url in _serve(province.data_dir, "210000"):
        yield {"url": url, "data": province.data_dir}


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    """A page logged in as the administrator (see `anonymous_page` for none)."""
    page = _new_page(browser)
    log_in(page, server["url"])
    yield page
    page.context.close()


@pytest.fixture
def anonymous_page(browser):
    page = _new_page(browser)
    yield page
    page.context.close()


def _new_page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    # A request the page itself cancels by navigating away (net::ERR_ABORTED) is not a failure.
    page.on(
        "requestfailed",
        lambda r: (
            None
            if "ERR_ABORTED" in (r.failure or "")
            else page.console_errors.append(f"request failed: {r.url} {r.failure}")
        ),
    )
    return page
