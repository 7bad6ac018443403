"""Both languages on every page: an English page shows no Chinese of its own (only the data's
names: places, documents, files), a Chinese page no English words of its own; the language
chosen on the login page is kept after logging in, and the header switch keeps it."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import duckdb
import pytest

from pipelines.settings import load_settings
from pipelines.warehouse import snapshots
from tests.browser.conftest import settled

pytestmark = pytest.mark.browser

# Page → what shows once its content is there.
PAGES = {"/": "#overview-cards", "/scorecard": "#scorecard-grid .ag-row", "/district/211223": "#district-indicators",
         "/downloads": ".ag-row", "/loaded": "#loaded-table", "/notifications": "#notify-table",
         "/bulletins": "#bulletins-page", "/data": "#data-title", "/targets": "#targets-grid .ag-row",
         "/admin": "#admin-users", "/no-such-page": "#notfound-title",
         "/supervision": "#district-bulletin-make", "/tasks": "#tasks-table"}  # fmt: skip
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# Words a Chinese page may show in Latin letters: file formats, the language switch, units.
LATIN_OK = {"csv", "excel", "parquet", "pdf", "word", "english", "a4", "xlsx", "docx", "id", "mb",
            "inbox", "gb", "gb18030", "utf-8", "utf", "ods", "xls", "wps", "office"}  # fmt: skip
# A value to type as it is written (the targets file's scope code for the whole city).
LATIN_OK |= {"city"}


@pytest.fixture(scope="module", autouse=True)
def _archived_bulletins(server, tmp_path_factory):
    """Bulletins in the archive, so its table is walked too (both a programme's and all)."""
    out = tmp_path_factory.mktemp("bulletins")
    env = {**os.environ, "REHAB_MONITOR_JURISDICTION": "211200"}
    for programme, period in (("mental_rehab", "2025-Q3"), ("all", "2025")):
        subprocess.run([sys.executable, "-m", "pipelines.cli", "--data-dir", str(server["data"]),
                        "bulletin", "--programme", programme, "--period", period,
                        "--out", str(out / f"{programme}.docx")], check=True, env=env,
                       capture_output=True)  # fmt: skip


def _data_names(data) -> set[str]:
    """The data's own Chinese: place, township, institution, programme-source and file names."""
    settings = load_settings(data, jurisdiction="211200")
    con = duckdb.connect(str(snapshots.published_path(settings)), read_only=True)
    try:
        names = {r[0] for r in con.execute(
            "select name from ref_units union select name from ref_jurisdiction "
            "union select distinct township from indicator_values where township is not null "
            "union select source from ref_programmes union select distinct source from ref_targets "
            "union select distinct note from ref_targets "
            "union select distinct district_name from indicator_values"
        ).fetchall() if r[0]}  # fmt: skip
    finally:
        con.close()
    names |= {p.name for p in (data / "inbox").glob("*")}
    names |= {p.name for p in (data / "runs").glob("**/*") if p.is_file()}
    return names


def _body(page) -> str:
    """The page's own words: its text without grid cells and `.data-text` (the data's names,
    values and users, which are in no language)."""
    return page.evaluate(
        """() => {
            const style = document.createElement('style');
            style.textContent = '.ag-cell, .data-text { display: none !important; }';
            document.head.appendChild(style);
            const text = document.body.innerText;
            style.remove();
            return text;
        }"""
    )


def _visit(page, url: str, path: str) -> str:
    page.goto(url + path)
    page.wait_for_selector(PAGES[path], timeout=30_000)
    settled(page)
    if path == "/downloads":  # read as a person reads it: Chinese headers and words
        page.locator("#downloads-readable input").check()
        settled(page)
    return _body(page)


def test_every_page_in_english_shows_no_chinese_of_its_own(server, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    # English chosen on the login page: kept after logging in.
    page.goto(server["url"] + "/login")
    page.click("#login-lang")
    page.wait_for_selector("html[lang='en']")
    page.fill("#login-name", "admin")
    from tests.conftest import PASSWORD

    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#shell-user")
    names = _data_names(server["data"])
    leftovers = {}
    for path in PAGES:
        text = _visit(page, server["url"], path)
        for name in sorted(names, key=len, reverse=True):
            text = text.replace(name, " ")
        text = re.sub(r"'[^'\n]*'", " ", text)  # a file's own words quoted in a note (sheets)
        found = set(CJK.findall(text)) - {"中文"}  # the switch back to Chinese
        if found:
            leftovers[path] = sorted(found)
        assert page.title().endswith("Rehab Target Monitor"), (path, page.title())
    context.close()
    assert leftovers == {}, "\n".join(f"{k}: {v}" for k, v in leftovers.items())


def test_every_page_in_chinese_shows_no_english_of_its_own(server, page):
    leftovers = {}
    for path in PAGES:
        text = _visit(page, server["url"], path)
        text = re.sub(r"`[^`]*`", " ", text)  # a command to type, as it is typed
        text = re.sub(r"\S+\.(csv|xlsx|xls|ods|parquet|docx|pdf|txt)\b", " ", text)  # file names
        words = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9_.\-]+", text)}
        found = sorted(w for w in words - LATIN_OK if not re.fullmatch(r"[a-z]\d*|\d.*", w))
        if found:
            leftovers[path] = found
        assert page.title().endswith("康复目标监测"), (path, page.title())
    assert leftovers == {}, "\n".join(f"{k}: {v}" for k, v in leftovers.items())


def test_the_header_switch_builds_every_label_in_the_other_language(server, page):
    page.goto(server["url"] + "/admin")
    page.wait_for_selector("#admin-users", timeout=30_000)
    assert page.get_attribute("#admin-user", "placeholder") == "用户名"
    page.get_by_label("English").check()
    page.wait_for_function(
        "(document.querySelector('#admin-title') || {}).innerText === 'Users and audit log'"
    )
    assert page.get_attribute("#admin-user", "placeholder") == "User"
    assert page.get_attribute("#admin-dates", "placeholder") == "From"
    page.get_by_label("中文").check()
    page.wait_for_function(
        "(document.querySelector('#admin-title') || {}).innerText === '用户与审计日志'"
    )
    assert page.get_attribute("#admin-dates", "placeholder") == "开始日期"
