"""Every page loads without console errors; the map, navigation, language and downloads work."""

from __future__ import annotations

import subprocess
import sys

import polars as pl
import pytest

pytestmark = pytest.mark.browser

PAGES = {"/": "#overview-cards", "/district/211223": "#district-indicators", "/downloads": ".ag-row",
         "/loaded": "#loaded-table", "/notifications": "#notify-table", "/bulletins": "#bulletins-page"}  # fmt: skip


@pytest.mark.parametrize("path", list(PAGES))
def test_page_loads_without_console_errors(server, page, path):
    page.goto(server["url"] + path)
    page.wait_for_selector(PAGES[path], timeout=30_000)
    page.wait_for_timeout(1500)
    assert page.console_errors == []
    assert "铁岭市" in page.inner_text("header")


def _map_data(page):
    return page.evaluate(
        """() => {
            const gd = document.querySelector('#overview-map .js-plotly-plot');
            return gd._fullData.filter(t => t.visible === true).flatMap(t => t.locations);
        }"""
    )


def test_map_has_one_shape_per_district_and_a_click_opens_the_district(server, page):
    page.goto(server["url"] + "/")
    page.wait_for_selector("#overview-map .js-plotly-plot", timeout=30_000)
    page.wait_for_function(
        "document.querySelector('#overview-map .js-plotly-plot')._fullLayout.map"
    )
    page.wait_for_timeout(1500)
    locations = _map_data(page)
    assert sorted(locations) == [
        "211202",
        "211204",
        "211221",
        "211223",
        "211224",
        "211281",
        "211282",
    ]
    # A real mouse click on 西丰县's interior (its label point projected by the map).
    x, y = page.evaluate(
        """() => {
            const gd = document.querySelector('#overview-map .js-plotly-plot');
            const map = gd._fullLayout.map._subplot.map;
            const p = map.project([124.72, 42.74]);
            const box = map.getCanvas().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }"""
    )
    page.mouse.click(x, y)
    page.wait_for_url("**/district/211223", timeout=15_000)
    page.wait_for_selector("#district-title", timeout=30_000)
    assert page.inner_text("#district-title").startswith("西丰县")
    assert page.console_errors == []


def test_clicking_a_ranking_bar_opens_the_district(server, page):
    page.goto(server["url"] + "/")
    page.wait_for_selector("#overview-ranking .bars path", timeout=30_000)
    box = page.locator("#overview-ranking .bars path").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**/district/*", timeout=15_000)
    page.wait_for_selector("#district-title", timeout=30_000)


def test_switching_language_changes_the_labels(server, page):
    page.goto(server["url"] + "/")
    page.wait_for_selector("#overview-cards", timeout=30_000)
    assert page.inner_text("#shell-nav-overview") == "总览"
    page.get_by_label("English").check()
    page.wait_for_function("document.querySelector('#shell-nav-overview').innerText === 'Overview'")
    page.wait_for_function(
        "document.querySelector('#overview-cards').innerText.includes('Service coverage')"
    )
    assert "Data as of" in page.inner_text("header")
    page.get_by_label("中文").check()
    page.wait_for_function("document.querySelector('#shell-nav-overview').innerText === '总览'")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_download_equals_the_export_command(server, page, tmp_path, fmt):
    page.goto(server["url"] + "/downloads")
    page.wait_for_selector(".ag-row", timeout=30_000)
    with page.expect_download() as info:
        page.click(f"#downloads-{fmt}")
    downloaded = tmp_path / f"ui.{fmt}"
    info.value.save_as(downloaded)
    exported = tmp_path / f"cli.{fmt}"
    subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "--data-dir", str(server["data"]), "export",
         "service_coverage", "--programme", "mental_rehab", "--year", "2025", "--format", fmt,
         "--out", str(exported)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    if fmt == "csv":
        assert downloaded.read_bytes() == exported.read_bytes()
    else:
        import fastexcel

        read = lambda p: fastexcel.read_excel(p).load_sheet(0).to_polars()  # noqa: E731
        assert read(downloaded).equals(read(exported))
    if fmt == "csv":
        assert pl.read_csv(exported, schema_overrides={"district_code": pl.String}).height == 8


def test_generate_a_bulletin_and_download_it(server, page, tmp_path):
    page.goto(server["url"] + "/bulletins")
    page.wait_for_selector("#bulletins-page", timeout=30_000)
    page.wait_for_timeout(1000)
    page.click("#bulletins-generate")
    page.wait_for_selector("#bulletins-preview", timeout=60_000)
    assert "进度通报" in page.inner_text("#bulletins-preview")
    with page.expect_download() as info:
        page.click("#bulletins-download")
    path = tmp_path / "b.docx"
    info.value.save_as(path)
    from docx import Document

    assert Document(str(path)).paragraphs[0].text.endswith("进度通报")
    assert page.locator("#bulletins-archive tbody tr").count() >= 1
    assert page.console_errors == []
