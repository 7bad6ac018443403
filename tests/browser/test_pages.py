"""Every page loads without console errors; the map, navigation, language and downloads work."""

from __future__ import annotations

import subprocess
import sys

import polars as pl
import pytest

from tests.browser.conftest import click_map, settled

pytestmark = pytest.mark.browser

PAGES = {"/": "#overview-cards", "/scorecard": "#scorecard-grid .ag-row", "/district/211223": "#district-indicators", "/downloads": ".ag-row",
         "/loaded": "#loaded-table", "/notifications": "#notify-table", "/bulletins": "#bulletins-page", "/admin": "#admin-users",
         "/supervision": "#district-bulletin-make", "/tasks": "#tasks-table",
         "/supervision/open/211223/mental_rehab/headline/scorecard": "#supervision-form"}  # fmt: skip


@pytest.mark.parametrize("path", list(PAGES))
def test_page_loads_without_console_errors(server, page, path):
    page.goto(server["url"] + path)
    page.wait_for_selector(PAGES[path], timeout=30_000)
    settled(page)
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
        """() => {
            const gd = document.querySelector('#overview-map .js-plotly-plot');
            return gd && gd._fullLayout && gd._fullLayout.map && gd._fullData
                && gd._fullData.some(t => t.visible === true && (t.locations || []).length > 0);
        }"""
    )
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
    click_map(page, [124.72, 42.74])  # a real mouse click inside 西丰县
    page.wait_for_url("**/district/211223?*", timeout=15_000)  # the header choice rides along
    page.wait_for_selector("#district-title", timeout=30_000)
    assert page.inner_text("#district-title").startswith("西丰县")
    assert page.console_errors == []


def test_clicking_a_ranking_bar_opens_the_district(server, page):
    page.goto(server["url"] + "/")
    page.wait_for_selector("#overview-ranking .bars path", timeout=30_000)
    box = page.locator("#overview-ranking .bars path").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**/district/*?*", timeout=15_000)
    page.wait_for_selector("#district-title", timeout=30_000)


def test_switching_language_changes_the_labels(server, page):
    page.goto(server["url"] + "/")
    page.wait_for_selector("#overview-cards", timeout=30_000)
    assert page.inner_text("#shell-nav-overview") == "总览"
    page.get_by_label("English").check()
    page.wait_for_function(
        "(document.querySelector('#shell-nav-overview') || {}).innerText === 'Overview'"
    )
    page.wait_for_function(
        "(document.querySelector('#overview-cards') || {innerText: ''}).innerText.includes('Service coverage')"
    )
    assert "Data as of" in page.inner_text("header")
    page.get_by_label("中文").check()
    page.wait_for_function(
        "(document.querySelector('#shell-nav-overview') || {}).innerText === '总览'"
    )


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
    settled(page)
    page.click("#bulletins-generate")
    page.wait_for_selector("#bulletins-preview", state="attached", timeout=120_000)
    assert "进度通报" in page.text_content("#bulletins-preview")
    # The pages as they will print: a PDF rendered by LibreOffice, served from this machine.
    frame = page.locator("#bulletins-pdf")
    assert frame.count() == 1, "LibreOffice Writer is installed by the setup: a preview is due"
    response = page.request.get(server["url"] + frame.get_attribute("src"))
    assert response.status == 200 and response.body().startswith(b"%PDF")
    with page.expect_download() as info:
        page.click("#bulletins-download")
    path = tmp_path / "b.docx"
    info.value.save_as(path)
    from docx import Document

    assert Document(str(path)).paragraphs[0].text.endswith("进度通报")
    assert page.locator("#bulletins-archive tbody tr").count() >= 1
    assert page.console_errors == []


def test_login_page_in_both_languages_and_a_wrong_password(server, anonymous_page):
    page = anonymous_page
    page.goto(server["url"] + "/district/211202")
    page.wait_for_url("**/login?next=/district/211202")
    assert page.inner_text("h1") == "康复目标监测" and page.is_visible("text=用户名")
    page.click("#login-lang")
    assert page.is_visible("text=User name")
    page.fill("#login-name", "admin")
    page.fill("#login-password", "not the password")
    page.click("#login-submit")
    assert "Wrong user name or password" in page.inner_text("#login-error")
    # The right password goes on to the page asked for first.
    from tests.conftest import PASSWORD

    page.fill("#login-name", "admin")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#district-title", timeout=30_000)
    assert page.inner_text("#district-title").startswith("银州区")
    assert page.console_errors == []


def test_logout_returns_to_the_login(server, page):
    page.goto(server["url"] + "/")
    page.wait_for_selector("#overview-cards", timeout=30_000)
    page.click("#shell-logout")
    page.wait_for_url("**/login")
    page.goto(server["url"] + "/downloads")
    page.wait_for_url("**/login?next=/downloads")


def test_district_user_sees_only_their_district_and_opens_the_masked_list(server, anonymous_page):
    from tests.browser.conftest import log_in

    page = anonymous_page
    log_in(page, server["url"], "yinzhou")
    page.wait_for_selector("#overview-map .js-plotly-plot", timeout=30_000)
    page.wait_for_function(
        "document.querySelector('#overview-map .js-plotly-plot')._fullLayout.map"
    )
    assert _map_data(page) == ["211202"]
    assert "银州区" in page.inner_text("#overview-scope")
    # Pages outside the role are not in the navigation and send the user back.
    assert not page.is_visible("#shell-nav-bulletins") and not page.is_visible("#shell-nav-admin")
    page.goto(server["url"] + "/district/211202")
    page.wait_for_selector("#persons-panel", timeout=30_000)
    page.click("#persons-show")
    page.wait_for_selector("#persons-error")
    page.fill("#persons-reason", "逐一电话回访核实")
    page.click("#persons-show")
    page.wait_for_selector("#persons-table, #persons-none", timeout=30_000)
    assert page.console_errors == []
    # Another district's page says it is not theirs.
    page.goto(server["url"] + "/district/211223")
    page.wait_for_selector("#district-unknown", timeout=30_000)


def test_the_scorecard_shows_every_district_sorts_and_downloads(server, page, tmp_path):
    page.goto(server["url"] + "/scorecard")
    page.wait_for_selector("#scorecard-grid .ag-center-cols-container .ag-row", timeout=30_000)
    settled(page)
    rows = page.locator("#scorecard-grid .ag-center-cols-container .ag-row")
    assert rows.count() == 7
    assert "铁岭市" in page.inner_text("#scorecard-grid .ag-floating-bottom")  # the city row
    # The value cells carry their status colour.
    first = page.locator("#scorecard-grid .ag-center-cols-container [col-id='c0_v']").first
    colour = first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
    # Sorting by the first indicator's value puts the highest first (rank 1).
    page.click("#scorecard-grid .ag-header-cell[col-id='c0_v']")
    page.click("#scorecard-grid .ag-header-cell[col-id='c0_v']")
    settled(page)
    top = page.locator(
        "#scorecard-grid .ag-center-cols-container .ag-row[row-index='0'] [col-id='c0_r']"
    )
    assert top.inner_text().strip() == "1"
    with page.expect_download() as info:
        page.click("#scorecard-download")
    path = tmp_path / "scorecard.xlsx"
    info.value.save_as(path)
    assert path.read_bytes()[:2] == b"PK"
    assert page.console_errors == []


def _header_shows(page, year: str, as_of: str) -> None:
    page.wait_for_function(
        """([year, asOf]) => {
            const y = document.querySelector('#shell-year');
            const a = document.querySelector('#shell-as-of-select');
            return y && a && y.innerText.includes(year) && a.innerText.includes(asOf);
        }""",
        arg=[year, as_of],
        timeout=30_000,
    )


def test_a_copied_link_opens_the_same_view_and_back_returns_to_the_previous_one(
    server, page, browser
):
    from tests.browser.conftest import log_in

    link = "/?programme=child_rehab&year=2024&as_of=2024-06-30"
    page.goto(server["url"] + link)
    _header_shows(page, "2024", "2024-06-30")
    page.wait_for_function("document.querySelector('#overview-map') !== null")
    assert "残疾儿童康复救助" in page.inner_text("#shell-programme")
    assert "服务人数" in page.inner_text("#overview-page")
    # Another year from the header: the link follows, and back returns to the shared view.
    page.click("#shell-year")
    page.get_by_role("option", name="2025").click()
    page.wait_for_url("**year=2025**")
    _header_shows(page, "2025", "2025-09-30")
    page.go_back()
    page.wait_for_url("**year=2024**")
    _header_shows(page, "2024", "2024-06-30")
    # A colleague with other rights opens the same link: the same view, within their scope.
    other = browser.new_context(viewport={"width": 1440, "height": 900})
    colleague = other.new_page()
    try:
        log_in(colleague, server["url"], "yinzhou", next_path=link)
        _header_shows(colleague, "2024", "2024-06-30")
        colleague.wait_for_selector("#overview-scope", timeout=30_000)
        assert "银州区" in colleague.inner_text("#overview-scope")
    finally:
        other.close()


def test_the_header_district_selector_opens_a_district_and_follows_the_page(server, page):
    page.goto(server["url"] + "/?programme=mental_rehab&year=2025")
    page.wait_for_selector("#overview-cards .card", timeout=30_000)
    page.click("#shell-district")
    page.get_by_role("option", name="西丰县").click()
    page.wait_for_url("**/district/211223?*", timeout=15_000)
    page.wait_for_selector("#district-title", timeout=30_000)
    assert page.inner_text("#district-title").startswith("西丰县")
    # Opening another district's page (a link, back) shows it in the selector.
    page.goto(server["url"] + "/district/211202?programme=mental_rehab&year=2025")
    page.wait_for_function(
        "document.querySelector('#shell-district')?.innerText.includes('银州区')"
    )
    page.click("#shell-district")
    page.get_by_role("option", name="铁岭市（全市）").click()
    page.wait_for_selector("#overview-cards .card", timeout=30_000)
    assert page.console_errors == []


def test_the_overview_prints_on_a4_landscape_with_its_heading_and_the_map(server, page, tmp_path):
    import pypdfium2 as pdfium

    page.goto(server["url"] + "/?programme=mental_rehab&year=2025&as_of=2025-09-30")
    page.wait_for_function(
        """() => {
            const gd = document.querySelector('#overview-map .js-plotly-plot');
            return gd && gd._fullData && gd._fullData.some(t => (t.locations || []).length > 0);
        }"""
    )
    settled(page)
    page.emulate_media(media="print")
    page.evaluate("window.rehabFreezeForPrint()")  # what the print button does before printing
    path = tmp_path / "overview.pdf"
    page.pdf(path=str(path), prefer_css_page_size=True, print_background=True)
    pdf = pdfium.PdfDocument(str(path))
    try:
        first = pdf[0]
        width, height = first.get_size()
        assert width > height  # landscape
        text = first.get_textpage().get_text_range()
        # The heading says what and when; the map is on the first page; the controls are not.
        assert "铁岭市 · 精康融合行动 · 2025年 · 数据截至2025-09-30" in text
        assert "各区县完成情况" in text and "退出登录" not in text and "统计截至" not in text
        # The map was drawn: its area (the left half under the cards) is not blank.
        image = first.render(scale=1).to_pil().convert("L")
        w, h = image.size
        area = image.crop((int(w * 0.05), int(h * 0.42), int(w * 0.48), int(h * 0.72)))
        inked = sum(1 for v in area.get_flattened_data() if v < 235)
        assert inked > 0.1 * area.width * area.height, "the map did not print"
    finally:
        pdf.close()


@pytest.mark.parametrize("graph", ["overview-map", "overview-ranking", "overview-trend"])
def test_a_chart_downloads_as_a_picture_with_its_title_and_as_of_date(
    server, page, tmp_path, graph
):
    page.goto(server["url"] + "/")
    page.wait_for_selector(f"#{graph} .js-plotly-plot", timeout=30_000)
    settled(page)
    height = page.evaluate(
        f"() => document.querySelector('#{graph} .js-plotly-plot').getBoundingClientRect().height"
    )
    with page.expect_download() as info:
        page.click(f"#{graph}-png")
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.suffix == ".png" and "2025-09-30" in path.name
    from PIL import Image

    with Image.open(path) as picture:
        # twice the chart's size (scale 2), with a title line above the chart
        assert picture.height == round((height + 56) * 2)
        # the title line is drawn: dark pixels in the band above the chart
        band = picture.crop((0, 0, picture.width, 90)).convert("L")
        assert band.getextrema()[0] < 100
    saved = page.get_attribute(f"#{graph}-png", "data-saved")
    assert saved.startswith("铁岭市 精康融合行动 · ") and saved.endswith("（数据截至2025-09-30）")
