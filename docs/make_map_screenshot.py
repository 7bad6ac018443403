"""A screenshot of the overview map for a loaded data directory (e.g. the whole country).

    .venv/bin/python docs/make_map_screenshot.py --data-dir /tmp/nat/data-0 --jurisdiction 100000 \\
        --out docs/screenshots/national-map.png

Serves the app on the data directory, logs in with a benchmark account and photographs the
overview at 1440×900 in headless Debian chromium: the check that neighbouring counties show no
gaps after simplification.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from _accounts import benchmark_login

from pipelines.settings import load_settings

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--jurisdiction", required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    settings = load_settings(args.data_dir, jurisdiction=args.jurisdiction)
    name, password = benchmark_login(settings, "leader")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "REHAB_MONITOR_JURISDICTION": args.jurisdiction}
    server = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "--data-dir", str(args.data_dir),
                               "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(url + "/login", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(url + "/login")
            page.fill("#login-name", name)
            page.fill("#login-password", password)
            page.click("#login-submit")
            page.wait_for_selector("#overview-map .js-plotly-plot", timeout=120_000)
            page.wait_for_timeout(6000)
            page.locator("#overview-map").screenshot(path=str(args.out))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
