"""The plain functions behind the pages, on a loaded demo snapshot."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date

import pytest
from dash import dcc, html

from dashboards.auth import Denied, Scope
from dashboards.components import charts
from dashboards.queries import district_data, export_selection, open_count, overview_data
from dashboards.views.district import district_view
from dashboards.views.downloads import download_file, indicator_options
from dashboards.views.overview import district_from_click, overview_view
from pipelines.cli import main
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


def _published(settings, sql: str, params=None):
    from pipelines.warehouse.db import frame
    from pipelines.warehouse.snapshots import connect_published

    con = connect_published(settings)
    try:
        return frame(con, sql, params)
    finally:
        con.close()


def test_overview_data_has_a_card_per_programme_with_its_headline_city_row(settings, admin):
    data = overview_data(admin, "mental_rehab", 2025)
    assert data.as_of.isoformat() == "2025-09-30" and data.indicator == "service_coverage"
    # One card per programme, in the reference order, each its headline (first listed) indicator
    # for the city; the numbers are the mart's.
    assert [(p["code"], ind["code"]) for p, ind, _ in data.cards] == [
        ("mental_rehab", "service_coverage"),
        ("precise_rehab", "service_coverage"),
        ("child_rehab", "served_count"),
        ("poverty_rehab", "service_coverage"),
        ("disabled_care", "served_count"),
    ]
    marts = _published(
        settings,
        "select programme, indicator, numerator, denominator, persons_needed from indicator_values "
        "where year = 2025 and unit_level = 'city'",
    )
    for p, ind, row in data.cards:
        m = marts.filter(programme=p["code"], indicator=ind["code"]).row(0, named=True)
        assert (row["unit_level"], row["numerator"], row["denominator"]) == (
            "city", m["numerator"], m["denominator"]
        )  # fmt: skip
    # The map and ranking: every district once and the city, of the headline indicator.
    assert sorted(data.rows.filter(unit_level="district").get_column("district_code")) == [
        "211202", "211204", "211221", "211223", "211224", "211281", "211282",
    ]  # fmt: skip
    assert set(data.rows.get_column("indicator")) == {"service_coverage"}
    # The trend: each month end of the year for the city, the last one the as-of date.
    months = data.series.get_column("as_of").to_list()
    assert len(months) == 9 and months[-1] == data.as_of
    assert set(data.series.get_column("unit_code")) == {"city"}


def test_overview_cards_show_the_numbers_of_the_data(settings, admin):
    data = overview_data(admin, "mental_rehab", 2025)
    city = data.cards[0][2]
    text = _texts(overview_view(admin, "mental_rehab", 2025, "zh"))
    assert f"{city['value']:.1%}" in text and "目标 60.0%" in text
    assert f"尚需服务 {city['persons_needed']:,}人" in text


def test_overview_in_english(settings, admin):
    text = _texts(overview_view(admin, "precise_rehab", 2025, "en"))
    assert "Service coverage" in text and "carried from the 2020 target" in text


def test_capability_names_the_districts_without_an_institution(settings, admin):
    data = overview_data(admin, "mental_rehab", 2023)
    programme, city, lacking = data.capability
    marts = _published(
        settings,
        "select district_name, numerator from indicator_values where programme = 'mental_rehab' "
        "and indicator = 'district_capability' and year = 2023 and unit_level = 'district'",
    )
    expected = sorted(marts.filter(numerator=0).get_column("district_name"))
    assert programme["code"] == "mental_rehab" and city["unit_level"] == "city"
    assert sorted(lacking) == expected and len(expected) >= 1
    assert city["numerator"] == marts.height - len(expected)


def test_a_district_user_sees_only_their_district(settings):
    user = Scope(settings, "d", "district", "211223")
    data = overview_data(user, "mental_rehab", 2025)
    assert set(data.rows.get_column("district_code")) == {"211223"}
    assert {row["unit_level"] for _, _, row in data.cards} == {"district"}
    assert set(data.series.get_column("unit_code")) == {"211223"}
    _, top, lacking = data.capability
    assert top["district_code"] == "211223" and set(lacking) <= {"西丰县"}


class CountingConnection:
    """A DuckDB connection that counts the statements run on it and its cursors."""

    def __init__(self, con, counter):
        self._con, self._counter = con, counter

    def sql(self, *args, **kwargs):
        self._counter.append(args[0])
        return self._con.sql(*args, **kwargs)

    def execute(self, *args, **kwargs):
        self._counter.append(args[0])
        return self._con.execute(*args, **kwargs)

    def cursor(self):
        return CountingConnection(self._con.cursor(), self._counter)

    def __getattr__(self, attr):
        return getattr(self._con, attr)


def test_the_overview_and_the_district_page_read_the_snapshot_in_at_most_three_queries(
    settings, admin, monkeypatch
):
    import dashboards.queries as queries

    statements: list[str] = []
    real = queries.duckdb.connect
    monkeypatch.setattr(
        queries.duckdb, "connect", lambda *a, **k: CountingConnection(real(*a, **k), statements)
    )
    queries._parents.clear()
    queries._meta_cache.clear()
    overview_view(admin, "mental_rehab", 2025, "zh")
    assert 2 <= len(statements) <= 3, statements  # the snapshot's meta, then the page's data
    overview = len(statements)
    queries._meta_cache.clear()
    district_view(admin, "211223", "mental_rehab", 2025, "zh")
    assert 2 <= len(statements) - overview <= 3, statements[overview:]
    queries._parents.clear()


def test_the_district_page_data(settings, admin):
    data = district_data(admin, "211223", "mental_rehab", 2025)
    assert data.name == "西丰县"
    # Every indicator of the programme, in the reference list order, for this district.
    assert [r["indicator"] for r in data.indicators] == data.meta.indicators["mental_rehab"]
    assert {r["district_code"] for r in data.indicators} == {"211223"}
    district = data.indicators[0]
    assert set(data.breakdowns) == {"category", "gender", "age_band", "township"}
    # Shown and hidden townships add up to the district; nothing from 1 to 4 is shown.
    exact = district_data(Scope(replace(settings, small_cells="show"), "a", "admin", None),
                          "211223", "mental_rehab", 2025)  # fmt: skip
    assert exact.townships.get_column("numerator").sum() == district["numerator"]
    assert exact.breakdowns["gender"].get_column("numerator").sum() == district["numerator"]
    for table in (data.townships, *data.breakdowns.values()):
        assert not table.get_column("numerator").is_between(1, 4).any()


def test_the_district_page_hides_what_the_downloads_hide(settings, admin):
    """The same small cells and complements on the page as in the township and category
    downloads, so a reader holding both learns nothing more."""
    with_hidden = []
    for code in ("211202", "211204", "211221", "211223", "211224", "211281", "211282"):
        data = district_data(admin, code, "mental_rehab", 2025)
        for by, table, key in (("township", data.townships, "township"),
                               ("category", data.breakdowns["category"], "member")):  # fmt: skip
            exported = export_selection(admin, data.indicator, "mental_rehab", 2025, None, by)
            exported = exported.filter(district_code=code)
            on_file = dict(zip(exported.get_column(by), exported.get_column("numerator"),
                               strict=True))  # fmt: skip
            for row in table.iter_rows(named=True):
                shown = row["numerator_hidden"] or str(row["numerator"])
                assert shown == on_file[row[key]], (code, by, row[key])
                if row["numerator_hidden"]:
                    with_hidden.append(code)
    assert with_hidden  # the demo has small cells to hide
    text = _texts(district_view(admin, with_hidden[0], "mental_rehab", 2025, "zh"))
    assert "不予显示" in text  # the page says what <5 and * mean
    assert data.series.get_column("as_of").to_list()[-1] == data.as_of
    text = _texts(district_view(admin, "211223", "mental_rehab", 2025, "zh"))
    assert "西丰县 · 精康融合行动 · 2025" in text and "服务覆盖率" in text


def test_a_district_outside_the_jurisdiction_or_the_scope_is_refused(settings, admin):
    with pytest.raises(Denied):
        district_data(admin, "999999", "mental_rehab", 2025)
    with pytest.raises(Denied):
        district_data(Scope(settings, "d", "district", "211223"), "211202", "mental_rehab", 2025)
    assert "不是本辖区的区县" in _texts(district_view(admin, "999999", "mental_rehab", 2025, "zh"))


def test_clicks_point_at_districts():
    assert (
        district_from_click("overview-map", {"points": [{"location": "211223"}]}, None) == "211223"
    )
    assert (
        district_from_click("overview-ranking", None, {"points": [{"customdata": "211202"}]})
        == "211202"
    )
    assert district_from_click("overview-map", None, None) is None


def test_download_file_equals_export(settings, admin):
    options, value = indicator_options(admin, "child_rehab", "zh", None)
    assert [o["value"] for o in options] == [
        "served_count",
        "review_timeliness",
    ] and value == "served_count"
    path = download_file(admin, "parquet", "served_count", "child_rehab", 2024, None, "district")
    import polars as pl

    # The file holds the marts' numbers: compared with the mart itself, not with the export
    # function the download calls.
    downloaded = pl.read_parquet(path)
    marts = _published(
        settings,
        "select case when unit_level = 'city' then 'city' else district_code end as district_code, "
        "numerator, target, status from indicator_values where programme = 'child_rehab' and "
        "indicator = 'served_count' and year = 2024 and unit_level in ('district', 'city')",
    )
    assert downloaded.height == marts.height == 8
    assert (
        downloaded.select("district_code", "numerator", "target", "status")
        .sort("district_code")
        .equals(marts.sort("district_code"))
    )


def test_nothing_published_says_how_to_load(tmp_path):
    empty = load_settings(tmp_path / "empty")
    assert isinstance(overview_view(Scope(empty, "a", "admin", None), None, None, "zh"), html.P)


def test_an_earlier_as_of_date_reads_the_monthly_mart(settings, admin):
    from datetime import date

    from dashboards.queries import as_of_options

    options = as_of_options(admin, 2025)
    assert options[0] == date(2025, 9, 30) and date(2025, 6, 30) in options
    june = overview_data(admin, "mental_rehab", 2025, date(2025, 6, 30))
    latest = overview_data(admin, "mental_rehab", 2025)
    assert set(june.rows.get_column("as_of")) == {date(2025, 6, 30)}
    june_city = june.rows.filter(unit_level="city").row(0, named=True)
    assert june_city["numerator"] < latest.rows.filter(unit_level="city").item(0, "numerator")
    assert june.series.get_column("as_of").to_list()[-1] == date(2025, 6, 30)
    # Townships at another date are computed with the same SQL and add up to the district.
    district = district_data(admin, "211202", "mental_rehab", 2025, date(2025, 6, 30))
    row = june.rows.filter(district_code="211202", unit_level="district").row(0, named=True)
    assert district.indicators[0]["numerator"] == row["numerator"]
    assert district.townships.get_column("numerator").sum() == row["numerator"]
    assert f"{june_city['value']:.1%}" in _texts(
        overview_view(admin, "mental_rehab", 2025, "zh", date(2025, 6, 30))
    )


def stored_years(settings) -> list[int]:
    return (
        _published(settings, "select distinct year from notifications").get_column("year").to_list()
    )


def test_notification_feed_filters(settings, admin):
    from dashboards.views.notifications import feed_view

    # What the snapshot holds, counted independently of the feed's query.
    stored = _published(
        settings, "select rule, programme, district_code, status from notifications"
    )
    lagging = stored.filter(status="open", programme="mental_rehab", rule="progress_lagging")
    assert lagging.height >= 1  # the demo has lagging districts in 精康融合行动
    view = feed_view(admin, "open", "mental_rehab", None, "progress_lagging", "en")
    rows = view.children[1].children  # the table body's rows
    assert len(rows) == lagging.height
    assert {r.className for r in rows} == {"notify-progress_lagging"}
    everything_open = feed_view(admin, "open", None, None, None, "zh").children[1].children
    assert len(everything_open) == stored.filter(status="open").height
    # A district filter keeps that district's rows only.
    district = lagging.item(0, "district_code")
    one = feed_view(admin, "open", None, district, None, "zh").children[1].children
    assert len(one) == stored.filter(status="open", district_code=district).height
    # The feed follows the header's year: the demo's conditions are of 2025, none of 2024.
    assert set(stored_years(settings)) == {2025}
    assert "No notifications match" in _texts(
        feed_view(admin, "open", None, None, None, "en", 2024)
    )
    # The badge counts exactly what the page lists for the same programme, year and scope.
    listed = feed_view(admin, "open", "mental_rehab", None, None, "zh", 2025).children[1].children
    assert open_count(admin, "mental_rehab", 2025) == len(listed) > 0
    user = Scope(settings, "d", "district", district)
    mine = feed_view(user, "open", "mental_rehab", None, None, "zh", 2025).children[1].children
    assert open_count(user, "mental_rehab", 2025) == len(mine) < len(listed)
    # Nothing resolved after one run: the feed says so.
    assert stored.filter(status="resolved").is_empty()
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


def test_a_programme_without_data_has_a_card_that_says_so(tmp_path, demo_inbox):
    from pipelines.settings import DEFAULT_REFERENCE_DIR

    data = tmp_path / "data"
    shutil.copytree(demo_inbox, data / "inbox")
    shipped = (DEFAULT_REFERENCE_DIR / "programmes.csv").read_text(encoding="utf-8")
    (data / "reference").mkdir(parents=True)
    (data / "reference" / "programmes.csv").write_text(
        shipped + "home_rehab,居家康复服务,居家康复,Home rehabilitation,居家康复对象,false,false,"
        "false,false,某区居家康复服务方案,service_coverage\n",
        encoding="utf-8",
    )
    targets = (DEFAULT_REFERENCE_DIR / "targets.csv").read_text(encoding="utf-8")
    (data / "reference" / "targets.csv").write_text(
        targets + "home_rehab,service_coverage,2025,*,0.50,ratio,某区居家康复服务方案,\n",
        encoding="utf-8",
    )
    assert main(["--data-dir", str(data), "pipeline", "run"]) == 0
    scope = Scope(load_settings(data, jurisdiction="211200"), "a", "admin", None)
    cards = {p["code"]: row for p, _, row in overview_data(scope, "mental_rehab", 2025).cards}
    assert cards["home_rehab"]["status"] == "no_data"
    view = overview_view(scope, "home_rehab", 2025, "zh")
    cards_box = next(c for c in view.children if getattr(c, "id", None) == "overview-cards")
    card = next(c for c in cards_box.children if c.id["programme"] == "home_rehab")
    text = _texts(card)
    assert "暂无数据" in text and "尚需服务" not in text


def test_the_ranking_line_is_the_city_target(settings, admin):
    data = overview_data(admin, "mental_rehab", 2025)
    city = data.rows.filter(unit_level="city").row(0, named=True)
    figure = charts.ranking(data.rows, "zh")
    lines = [s for s in figure.layout.shapes if s.type == "line"]
    assert [round(s.x0, 6) for s in lines] == [round(city["target"] * 100, 6)]
    assert "铁岭市目标 60.0%" in " ".join(a.text for a in figure.layout.annotations)


def test_a_notifications_link_opens_a_page_showing_the_same_number(settings, admin):
    from dashboards.queries import notifications

    progress = notifications(admin, "open", "mental_rehab", None, "progress_behind", 2025)
    assert progress.height >= 1
    for note in progress.iter_rows(named=True):
        assert note["link"] == f"/district/{note['district_code']}"
        page = district_data(admin, note["district_code"], "mental_rehab", 2025)
        shown = next(r for r in page.indicators if r["indicator"] == note["subject"])
        assert (shown["value"], shown["status"]) == (note["value"], "behind")


# -- the scorecard -------------------------------------------------------------------------


def test_the_scorecard_has_every_programme_and_district_with_rank_and_change(settings, admin):
    from dashboards.queries import scorecard_data

    data = scorecard_data(admin, 2025)
    assert [c["programme"] for c in data.columns] == [p["code"] for p in data.meta.programmes]
    assert all(c["headline"] for c in data.columns) and data.previous == date(2025, 8, 31)
    assert [u["code"] for u in data.units][-1] == "city" and len(data.units) == 8
    now = _published(settings, "select programme, indicator, unit_code, value, status from "
                               "indicator_values where year = 2025 and unit_level in ('district', 'city')")  # fmt: skip
    august = _published(settings, "select programme, indicator, unit_code, value from "
                                  "indicator_monthly where year = 2025 and as_of = '2025-08-31'")  # fmt: skip
    coverage = data.cells.filter(programme="mental_rehab", indicator="service_coverage")
    assert coverage.height == 8
    for cell in coverage.iter_rows(named=True):
        mart = now.filter(programme="mental_rehab", indicator="service_coverage",
                          unit_code=cell["unit_code"]).row(0, named=True)  # fmt: skip
        before = august.filter(programme="mental_rehab", indicator="service_coverage",
                               unit_code=cell["unit_code"]).item(0, "value")  # fmt: skip
        assert (cell["value"], cell["status"]) == (mart["value"], mart["status"])
        assert cell["change"] == pytest.approx(mart["value"] - before)
    districts = coverage.filter(unit_level="district").sort("value", descending=True)
    assert districts.get_column("rank").to_list()[0] == 1
    # Ranks are competition ranks among the districts: a district's rank is one more than the
    # number of districts with a strictly higher value.
    values = districts.get_column("value").to_list()
    for value, rank in zip(values, districts.get_column("rank").to_list(), strict=True):
        assert rank == 1 + sum(v > value for v in values)
    assert coverage.filter(unit_level="city").item(0, "rank") is None
    every = scorecard_data(admin, 2025, every_indicator=True)
    assert len(every.columns) == sum(len(v) for v in every.meta.indicators.values())


def test_a_district_user_sees_their_row_of_the_scorecard(settings):
    from dashboards.queries import scorecard_data

    data = scorecard_data(Scope(settings, "d", "district", "211223"), 2025)
    assert [u["code"] for u in data.units] == ["211223"]
    assert set(data.cells.get_column("unit_code")) == {"211223"}


def _fills(path) -> dict[str, str]:
    """Cell reference → fill colour of the first sheet of an .xlsx (read from its XML)."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        styles = z.read("xl/styles.xml").decode()
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    fills = re.findall(
        r"<fill>(.*?)</fill>", re.search(r"<fills[^>]*>(.*?)</fills>", styles, re.S)[1], re.S
    )
    colours = [
        m[1].lower() if (m := re.search(r'fgColor rgb="FF([0-9A-F]{6})"', f)) else None
        for f in fills
    ]
    xfs = re.findall(r"<xf [^>]*>", re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S)[1])
    fill_of = [int(re.search(r'fillId="(\d+)"', x)[1]) for x in xfs]
    return {
        ref: colours[fill_of[int(s)]]
        for ref, s in re.findall(r'<c r="([A-Z]+\d+)" s="(\d+)"', sheet)
    }


def test_the_scorecard_downloads_as_excel_with_the_status_colours(settings, admin):
    import fastexcel

    from dashboards.queries import scorecard_data
    from dashboards.views.scorecard import scorecard_file
    from pipelines.outputs.formatting import STATUS_COLOURS

    data = scorecard_data(admin, 2025)
    path = scorecard_file(admin, 2025, None, False, "zh")
    sheet = fastexcel.read_excel(path).load_sheet(0, header_row=None).to_polars()
    assert sheet.item(0, 0).startswith("铁岭市残疾人康复工作计分卡（2025年")
    fills = _fills(path)
    names = sheet.get_column(sheet.columns[0]).to_list()
    for unit in data.units:
        row = names.index(unit["name"]) + 1  # spreadsheet rows count from 1
        cell = data.cells.filter(programme="mental_rehab", indicator="service_coverage",
                                 unit_code=unit["code"]).row(0, named=True)  # fmt: skip
        assert sheet.item(row - 1, 1) == f"{cell['value']:.1%}"
        assert fills[f"B{row}"] == STATUS_COLOURS[cell["status"]].lstrip("#")
    path.unlink()
    path.parent.rmdir()


def test_a_download_for_reading_has_chinese_headers_and_percentages(settings, admin):
    import polars as pl

    path = download_file(admin, "csv", "service_coverage", "mental_rehab", 2025, None, "district",
                         for_people=True)  # fmt: skip
    table = pl.read_csv(path, infer_schema=False)
    assert table.columns[:4] == ["项目", "指标", "年度", "统计截至"] and "完成值" in table.columns
    marts = _published(settings, "select value, status from indicator_values where programme = "
                                 "'mental_rehab' and indicator = 'service_coverage' and year = 2025 "
                                 "and unit_level = 'city'")  # fmt: skip
    city = table.filter(pl.col("区县代码") == "city").row(0, named=True)
    assert city["完成值"] == f"{marts.item(0, 'value') * 100:.1f}%"
    assert city["状态"] in {"达标", "正常", "滞后", "严重滞后"}
    path.unlink()
    path.parent.rmdir()


def test_ranking_labels_stand_clear_of_the_expected_markers(settings, admin):
    data = overview_data(admin, "mental_rehab", 2025)
    figure = charts.ranking(data.rows, "zh")
    labels = {a.y: a for a in figure.layout.annotations if a.y is not None and a.xanchor == "left"}
    districts = data.rows.filter(unit_level="district")
    assert set(labels) == set(districts.get_column("district_name"))
    for row in districts.iter_rows(named=True):
        label = labels[row["district_name"]]
        assert label.text == f"{row['value']:.1%}"
        # Right of the bar end and of the expected-by-now marker, never on them.
        assert label.x >= max(row["value"], row["expected"] or 0) * 100 - 1e-9


# -- a province: its cities first, a click drills into a city's districts -----------------------


def test_a_province_overview_shows_its_cities_then_a_citys_districts(province):
    leader = Scope(province, "test-leader", "leader", None)
    top = overview_data(leader, "mental_rehab", 2025)
    assert top.level == "prefecture" and top.area is None and top.top_level == "city"
    cities = top.rows.filter(unit_level="prefecture")
    assert cities.height == 14 and "铁岭市" in cities.get_column("district_name").to_list()
    # The ranking's target line is the province's; its bars are the cities, clickable by code.
    figure = charts.ranking(top.rows, "zh", top.level, top.top_level)
    assert sorted(figure.data[0].customdata) == sorted(cities.get_column("unit_code").to_list())
    assert "辽宁省目标 60.0%" in " ".join(a.text for a in figure.layout.annotations)
    # The map is drawn from the cities' boundaries.
    view = overview_view(leader, "mental_rehab", 2025, "zh")
    graph = next(c for c in _walk(view) if getattr(c, "id", None) == "overview-map")
    assert graph.figure.data[0].geojson == "/geo/prefectures.geojson"

    drilled = overview_data(leader, "mental_rehab", 2025, area="211200")
    assert drilled.level == "district" and drilled.top_level == "prefecture"
    districts = drilled.rows.filter(unit_level="district")
    assert sorted(districts.get_column("unit_code")) == [
        "211202", "211204", "211221", "211223", "211224", "211281", "211282"]  # fmt: skip
    # The cards show the city drilled into, whose figures are its districts' sums.
    card = drilled.cards[0][2]
    assert (card["unit_level"], card["unit_code"]) == ("prefecture", "211200")
    assert card["numerator"] == districts.get_column("numerator").sum()
    assert card["denominator"] == districts.get_column("denominator").sum()
    assert drilled.series.get_column("unit_code").unique().to_list() == ["211200"]
    view = overview_view(leader, "mental_rehab", 2025, "zh", area="211200")
    crumb = next(c for c in _walk(view) if getattr(c, "id", None) == "overview-breadcrumb")
    assert _texts(crumb).split() == ["辽宁省", "›", "铁岭市"]
    # A code that is not one of its cities shows the province.
    assert overview_data(leader, "mental_rehab", 2025, area="211202").level == "prefecture"


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            yield from _walk(child)


# -- help where the number is ----------------------------------------------------------------


def _info_titles(component) -> list[str]:
    return [c.title for c in _walk(component) if getattr(c, "className", None) == "info"]


def test_every_indicator_name_has_its_definition_target_and_source_on_hover(settings, admin):
    for lang, words in (
        ("zh", ["分子：当年在册对象中接受服务的人数", "分母：当年在册对象人数", "序时进度",
                "2025年目标：60.0%", "依据：铁岭市"]),
        ("en", ["Numerator: Registered subjects of the year who received a service",
                "Denominator: registered subjects of the year", "Expected by now",
                "Target for 2025: 60.0%", "Source: 铁岭市"]),
    ):  # fmt: skip
        overview = overview_view(admin, "mental_rehab", 2025, lang)
        titles = _info_titles(overview)
        assert len(titles) == 5  # one per programme card
        assert all(w in titles[0] for w in words), titles[0]
        district = district_view(admin, "211223", "mental_rehab", 2025, lang)
        rows = _info_titles(district)
        assert len(rows) == 5  # every indicator of the programme
        assert all(w in rows[0] for w in words[:3])
    # The English help is English apart from the source document's own (Chinese) title.
    english = _info_titles(overview_view(admin, "child_rehab", 2025, "en"))
    for title in english:
        body = "\n".join(line for line in title.splitlines() if not line.startswith("Source:"))
        assert not [ch for ch in body if "\u4e00" <= ch <= "\u9fff" and ch not in "序时进度"], body
