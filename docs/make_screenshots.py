"""Screenshots of every page at 1440×900 for the README (docs/screenshots/*.png).

    .venv/bin/python docs/make_screenshots.py

Loads the small demo into a temporary data directory, serves the app and photographs each
page in headless Debian chromium.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent / "screenshots"
# name → (who is logged in, path, what to wait for)
PAGES = {
    "overview": ("leader", "/", "#overview-cards"),
    "scorecard": ("leader", "/scorecard", "#scorecard-grid .ag-row"),
    "district": ("leader", "/district/211223", "#district-indicators"),
    "downloads": ("analyst", "/downloads", ".ag-row"),
    "overview-en": ("leader", "/", "#overview-cards"),
    "district-user": ("district", "/", "#overview-cards"),
    "admin": ("admin", "/admin", ".ag-row"),
    "data": ("admin", "/data", "#data-report-samples"),
    "targets": ("admin", "/targets", "#targets-grid .ag-row"),
}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        cli = [sys.executable, "-m", "pipelines.cli", "--data-dir", str(data)]
        subprocess.run([*cli, "demo", "--load"], check=True, capture_output=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen([*cli, "serve", "--port", str(port)], stdout=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(60):
                try:
                    urllib.request.urlopen(url, timeout=1)
                    break
                except OSError:
                    time.sleep(0.5)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                logins = json.loads((data / "demo-logins.txt").read_text(encoding="utf-8"))
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                page.goto(url + "/login")
                page.screenshot(path=OUT / "login.png")
                who = None
                for name, (role, path, ready) in PAGES.items():
                    if role != who:
                        page.context.clear_cookies()
                        account = next(x for x in logins if x["role"] == role)
                        page.goto(url + "/login")
                        page.fill("#login-name", account["name"])
                        page.fill("#login-password", account["password"])
                        page.click("#login-submit")
                        page.wait_for_selector("#shell-user")
                        who = role
                    page.goto(url + path)
                    if name.endswith("-en"):
                        page.get_by_label("English").check()
                        page.wait_for_function(
                            "document.querySelector('#overview-cards')?.innerText.includes('Service coverage')"
                        )
                    page.wait_for_selector(ready, timeout=30_000)
                    page.wait_for_timeout(2500)
                    page.screenshot(path=OUT / f"{name}.png")
                    if name.endswith("-en"):
                        page.get_by_label("中文").check()
                _printed(page, url, Path(tmp))
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)


def _printed(page, url: str, tmp: Path) -> None:
    """The overview as it prints (A4 landscape), its first page as a picture."""
    import pypdfium2 as pdfium

    page.goto(url + "/")
    page.wait_for_selector("#overview-map .js-plotly-plot", timeout=30_000)
    page.wait_for_timeout(3000)
    page.emulate_media(media="print")
    page.evaluate("window.rehabFreezeForPrint()")
    pdf_path = tmp / "overview.pdf"
    page.pdf(path=str(pdf_path), prefer_css_page_size=True, print_background=True)
    page.emulate_media(media="screen")
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        pdf[0].render(scale=1.6).to_pil().save(OUT / "printed-overview.png")
    finally:
        pdf.close()


if __name__ == "__main__":
    main()
