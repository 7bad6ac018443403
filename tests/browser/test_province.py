"""A province's overview in the browser: the map shows its cities, a click drills into a city's
districts (cards, ranking and trend follow it), the breadcrumb goes back."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import click_map, log_in, settled

pytestmark = pytest.mark.browser

TIELING = ["211202", "211204", "211221", "211223", "211224", "211281", "211282"]
XIFENG = [124.72, 42.74]  # a point inside 西丰县 (铁岭市)


def _drill(page, lon_lat: list[float]) -> list[str]:
    """Click the map at a point of a city and return the districts then shown. The map takes
    a click once its WebGL layer is ready; like a user, click again if the first is lost."""
    for _ in range(3):
        click_map(page, lon_lat)
        try:
            return _locations(page, 7, timeout=10_000)
        except PlaywrightTimeout:
            if page.locator("#overview-area-name").count():  # taken, only slow: wait for it
                return _locations(page, 7)
    return _locations(page, 7)


def _locations(page, count: int, timeout: int = 30_000) -> list[str]:
    """The map's shapes once it shows `count` of them."""
    page.wait_for_function(
        """(n) => {
            const gd = document.querySelector('#overview-map .js-plotly-plot');
            return gd && gd._fullLayout && gd._fullLayout.map && gd._fullData && gd._fullData
                .filter(t => t.visible === true).flatMap(t => t.locations).length === n;
        }""",
        arg=count,
        timeout=timeout,
    )
    return page.evaluate(
        """() => document.querySelector('#overview-map .js-plotly-plot')._fullData
            .filter(t => t.visible === true).flatMap(t => t.locations)"""
    )


def test_the_province_map_drills_from_a_city_to_its_districts_and_back(province_server, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, province_server["url"], "chief")
    cities = _locations(page, 14)
    settled(page)
    assert "211200" in cities and not set(TIELING) & set(cities)
    assert "地市排名" in page.inner_text("#overview-content")
    assert page.inner_text("#overview-breadcrumb").strip() == "辽宁省"

    assert sorted(_drill(page, XIFENG)) == TIELING  # 西丰县 lies in 铁岭市: drills into it
    page.wait_for_selector("#overview-area-name")
    assert page.inner_text("#overview-breadcrumb").split() == ["辽宁省", "›", "铁岭市"]
    settled(page)
    assert "区县排名" in page.inner_text("#overview-content")
    ranked = page.evaluate(
        "() => document.querySelector('#overview-ranking .js-plotly-plot').data[0].customdata"
    )
    assert sorted(ranked) == TIELING

    page.click("#overview-area-top")  # back to the province
    assert len(_locations(page, 14)) == 14
    settled(page)
    _drill(page, XIFENG)
    settled(page)
    click_map(page, XIFENG)  # now a district: its page opens
    page.wait_for_url("**/district/211223?*", timeout=15_000)
    page.wait_for_selector("#district-title", timeout=30_000)
    assert page.inner_text("#district-title").startswith("西丰县")
    assert errors == []
    context.close()
