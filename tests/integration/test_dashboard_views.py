"""The plain functions behind the pages, on a loaded demo snapshot."""

from __future__ import annotations

import shutil

import pytest
from dash import dcc, html

from dashboards.auth import Scope
from dashboards.queries import lacking_capability, meta, values
from dashboards.views.district import district_view
from dashboards.views.downloads import download_file, indicator_options
from dashboards.views.overview import district_from_click, overview_view
from pipelines.cli import main
from pipelines.outputs.export import export_frame
from pipelines.settings import load_settings


@pytest.fixture(scope="module")
def settings(tmp_path_factory, demo_inbox):
    data = tmp_path_factory.mktemp("views") / "data"
    shutil.copytree(demo_inbox, data / "inbox")
    assert main(["--data-dir", str(data), "pipeline", "run"]) == 0
    return load_settings(data, jurisdiction="211200")


@pytest.fixture(scope="module")
def admin(settings):
    return Scope(settings, "test-admin", "admin", None)


def _texts(component) -> str:
    """All text in a component tree."""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(_texts(c) for c in component)
    children = getattr(component, "children", None)
    return _texts(children) if children is not None else ""


def test_overview_has_a_card_per_programme_with_city_numbers(settings, admin):
    info = meta(admin)
    view = overview_view(admin, "mental_rehab", 2025, "zh")
    cards = next(c for c in view.children if getattr(c, "id", None) == "overview-cards").children
    assert len(cards) == 5
    text = _texts(cards[0])
    city = (
        values(admin, "mental_rehab", "service_coverage", 2025)
        .filter(unit_level="city")
        .row(0, named=True)
    )
    assert f"{city['value']:.1%}" in text and "目标 60.0%" in text
    assert f"尚需服务 {city['persons_needed']:,}人" in text
    assert info.as_of.isoformat() == "2025-09-30"


def test_overview_in_english(settings, admin):
    text = _texts(overview_view(admin, "precise_rehab", 2025, "en"))
    assert "Service coverage" in text and "Carried from the 2020 target" in text


def test_map_figure_has_every_district_once(settings, admin):
    view = overview_view(admin, "mental_rehab", 2025, "zh")
    fig = view.children[1].children[0].children[1].figure
    locations = [loc for trace in fig.data if trace.visible is True for loc in trace.locations]
    assert sorted(locations) == [
        "211202",
        "211204",
        "211221",
        "211223",
        "211224",
        "211281",
        "211282",
    ]


def test_capability_names_lacking_districts(settings, admin):
    lacking = lacking_capability(admin, "mental_rehab", 2023)
    rows = values(admin, "mental_rehab", "district_capability", 2023)
    assert len(lacking) == rows.filter(unit_level="district", numerator=0).height


def test_clicks_point_at_districts():
    assert (
        district_from_click("overview-map", {"points": [{"location": "211223"}]}, None) == "211223"
    )
    assert (
        district_from_click("overview-ranking", None, {"points": [{"customdata": "211202"}]})
        == "211202"
    )
    assert district_from_click("overview-map", None, None) is None


def test_district_view(settings, admin):
    view = district_view(admin, "211223", "mental_rehab", 2025, "zh")
    text = _texts(view)
    assert "西丰县 · 精康融合行动 · 2025" in text and "服务覆盖率" in text
    unknown = district_view(admin, "999999", "mental_rehab", 2025, "zh")
    assert "不是本辖区的区县" in _texts(unknown)


def test_download_file_equals_export(settings, admin):
    options, value = indicator_options(admin, "child_rehab", "zh", None)
    assert [o["value"] for o in options] == [
        "served_count",
        "review_timeliness",
    ] and value == "served_count"
    path = download_file(admin, "parquet", "served_count", "child_rehab", 2024, None, "district")
    import polars as pl

    assert pl.read_parquet(path).equals(export_frame(settings, "served_count", "child_rehab", 2024))


def test_nothing_published_says_how_to_load(tmp_path):
    empty = load_settings(tmp_path / "empty")
    assert isinstance(overview_view(Scope(empty, "a", "admin", None), None, None, "zh"), html.P)


def test_an_earlier_as_of_date_reads_the_monthly_mart(settings, admin):
    from datetime import date

    from dashboards.queries import as_of_options, townships

    options = as_of_options(admin, 2025)
    assert options[0] == date(2025, 9, 30) and date(2025, 6, 30) in options
    june = values(admin, "mental_rehab", "service_coverage", 2025, date(2025, 6, 30))
    assert set(june.get_column("as_of").to_list()) == {date(2025, 6, 30)}
    latest = values(admin, "mental_rehab", "service_coverage", 2025)
    assert june.filter(unit_level="city").item(0, "numerator") < latest.filter(
        unit_level="city"
    ).item(0, "numerator")
    # Townships at another date are computed with the same SQL and add up to the district.
    towns = townships(admin, "mental_rehab", "service_coverage", 2025, "211202", date(2025, 6, 30))
    district = june.filter(district_code="211202", unit_level="district").row(0, named=True)
    assert towns.get_column("numerator").sum() == district["numerator"]
    text = _texts(overview_view(admin, "mental_rehab", 2025, "zh", date(2025, 6, 30)))
    city = june.filter(unit_level="city").row(0, named=True)
    assert f"{city['value']:.1%}" in text


def test_notification_feed_filters(settings, admin):
    from dashboards.views.notifications import feed_view

    all_open = _texts(feed_view(admin, "open", None, None, None, "zh"))
    assert "进度" in all_open
    lagging = feed_view(admin, "open", "mental_rehab", None, "progress_lagging", "en")
    text = _texts(lagging)
    assert "lagging" in text or "No notifications match" in text
    assert "No notifications match" in _texts(feed_view(admin, "resolved", None, None, None, "en"))


def _graphs(component) -> list:
    if isinstance(component, list | tuple):
        return [g for c in component for g in _graphs(c)]
    if isinstance(component, dcc.Graph):
        return [component]
    children = getattr(component, "children", None)
    return _graphs(children) if children is not None else []


def test_no_chart_offers_to_send_its_data_to_plotly_cloud(settings, admin):
    graphs = _graphs(overview_view(admin, "mental_rehab", 2025, "zh")) + _graphs(
        district_view(admin, "211224", "mental_rehab", 2025, "zh")
    )
    assert len(graphs) >= 4
    for graph in graphs:
        config = graph.config
        assert config["showLink"] is False and config["sendData"] is False
        assert config["showSendToCloud"] is False and config["showEditInChartStudio"] is False
        assert "sendDataToCloud" in config["modeBarButtonsToRemove"]
