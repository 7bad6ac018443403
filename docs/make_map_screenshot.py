"""A screenshot of the overview map for a loaded data directory (e.g. the whole country), and
for a province the map drilled into one of its cities.

    .venv/bin/python docs/make_map_screenshot.py --data-dir /tmp/nat/data-0 --jurisdiction 100000 \\
        --out docs/screenshots/national-map.png
    .venv/bin/python docs/make_map_screenshot.py --data-dir /tmp/prov --jurisdiction 210000 \\
        --out docs/screenshots/province-map.png --drill 211200 \\
        --drill-out docs/screenshots/province-map-city.png

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
    parser.add_argument("--drill", help="a city's code: also photograph the map drilled into it")
    parser.add_argument("--drill-out", type=Path)
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
            _crumb_and_panels(page, args.out)
            if args.drill:  # a click on the city's bar in the ranking drills into it
                codes = page.evaluate(
                    "() => document.querySelector('#overview-ranking .js-plotly-plot')"
                    ".data[0].customdata"
                )
                bar = page.locator("#overview-ranking .bars path").nth(codes.index(args.drill))
                box = bar.bounding_box()  # the mouse on the bar (the drag layer lies above it)
                page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                page.wait_for_selector("#overview-area-name", timeout=60_000)
                page.wait_for_timeout(6000)
                _crumb_and_panels(page, args.drill_out)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def _crumb_and_panels(page, out: Path) -> None:
    """The map and ranking panels, with the breadcrumb above them where there is one."""
    panels = page.locator(".panels").first.bounding_box()
    crumb = page.locator(".breadcrumb")
    top = crumb.bounding_box() if crumb.count() else panels
    clip = {"x": panels["x"], "y": top["y"], "width": panels["width"],
            "height": panels["y"] + panels["height"] - top["y"]}  # fmt: skip
    page.screenshot(path=str(out), clip=clip, full_page=True)


if __name__ == "__main__":
    main()
