"""Word bulletins: title, number, date, ranking table equal to the export, narrative, chart."""

from __future__ import annotations

import shutil
import warnings
from datetime import date

import polars as pl
import pytest
from docx import Document

from pipelines.cli import main
from pipelines.outputs.bulletin import archived, build, parse_period
from pipelines.outputs.bulletin.periods import period_choices
from pipelines.outputs.bulletin.chart import chart_png
from pipelines.outputs.export import export_frame
from pipelines.settings import load_settings
from tests.conftest import TODAY


@pytest.fixture(scope="module")
def settings(tmp_path_factory, demo_inbox):
    data = tmp_path_factory.mktemp("bulletin") / "data"
    shutil.copytree(demo_inbox, data / "inbox")
    assert main(["--data-dir", str(data), "pipeline", "run"]) == 0
    return load_settings(data, jurisdiction="211200")


def test_periods():
    published = date(2025, 9, 30)
    assert parse_period("2025-Q3", published).as_of == date(2025, 9, 30)
    assert parse_period("2025-Q2", published).as_of == date(2025, 6, 30)
    assert parse_period("2025-Q4", published).as_of == published
    assert parse_period("2025-08", published).as_of == date(2025, 8, 31)
    assert parse_period("2024", published).as_of == date(2024, 12, 31)
    assert parse_period("2024-12", published).as_of == date(2024, 12, 31)
    for wrong in ("2025/3", "2025-13", "2025-00", "2025-Q5"):
        with pytest.raises(ValueError):
            parse_period(wrong, published)


def test_every_period_the_page_offers_is_one_the_parser_accepts():
    published = date(2025, 9, 30)
    choices = period_choices(2025, published)
    assert [v for v, _ in choices][:5] == ["2025", "2025-Q3", "2025-Q2", "2025-Q1", "2025-09"]
    assert len(choices) == 1 + 3 + 9
    for value, label in choices:
        period = parse_period(value, published)
        assert period.as_of <= published and (value == "2025" or period.label == label)


def test_bulletin_document(settings, tmp_path):
    out = tmp_path / "通报.docx"
    assert main(["--data-dir", str(settings.data_dir), "bulletin", "--programme", "mental_rehab",
                 "--period", "2025-Q3", "--out", str(out)]) == 0  # fmt: skip
    doc = Document(str(out))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert doc.paragraphs[0].text == "精康融合行动进度通报"
    assert doc.paragraphs[1].text == "（2025年第1期）"
    # Issued "today": the pinned day of the tests (REHAB_MONITOR_TODAY).
    assert f"{TODAY.year}年{TODAY.month}月{TODAY.day}日" in doc.paragraphs[2].text

    export = export_frame(settings, "service_coverage", "mental_rehab", 2025, date(2025, 9, 30))
    city = export.filter(district_code="city").row(0, named=True)
    assert f"全市服务覆盖率为{city['value'] * 100:.1f}%" in text
    assert f"距年度目标{city['target'] * 100:.1f}%差{abs(city['gap']):.1f}个百分点" in text

    table = doc.tables[0]
    body = [[c.text for c in row.cells] for row in table.rows[1:-1]]
    districts = export.filter(pl.col("district_code") != "city")
    assert sorted(r[2] for r in body) == sorted(districts.get_column("district_name").to_list())
    for r in body:
        e = districts.filter(district_name=r[2]).row(0, named=True)
        assert (r[3], r[4], r[5]) == (
            f"{e['denominator']:,}",
            f"{e['numerator']:,}",
            f"{e['value'] * 100:.1f}%",
        )
    lagging = districts.filter(pl.col("status").is_in(["lagging", "behind"])).get_column(
        "district_name"
    )
    assert lagging.len() > 0
    for name in lagging:
        assert name in text  # lagging districts are named in the narrative

    # East Asian font set on every run
    for p in doc.paragraphs:
        for run in (r for r in p.runs if r.text):
            fonts = run._element.rPr.rFonts
            assert fonts is not None and fonts.get(
                "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
            )
    assert len(doc.inline_shapes) == 1  # the chart


def test_numbering_archive_and_rank_change(settings, tmp_path):
    before = len([b for b in archived(settings) if b["programme"] == "precise_rehab"])
    first = build(settings, "precise_rehab", "2025-Q2", tmp_path / "a.docx")
    second = build(settings, "precise_rehab", "2025-Q3", tmp_path / "b.docx")
    assert first.number == f"2025年第{before + 1}期" and second.number == f"2025年第{before + 2}期"
    entries = archived(settings)
    assert (
        entries[-1]["snapshot"].startswith("snapshots/run-")
        and (settings.data_dir / "bulletins" / entries[-1]["file"]).exists()
    )
    changes = [row.cells[1].text for row in Document(str(tmp_path / "b.docx")).tables[0].rows[1:-1]]
    assert all(c == "持平" or c[0] in "▲▼" for c in changes)


def test_chart_renders_chinese_glyphs():
    rows = pl.DataFrame({"district_name": ["银州区", "清河区"], "value": [0.61, 0.4],
                         "status": ["met", "behind"], "target": [0.6, 0.6]})  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)"
        png = chart_png(rows, "各县（市、区）服务覆盖率", "ratio")
    assert png.startswith(b"\x89PNG")


def test_one_bulletin_for_all_programmes(settings, tmp_path):
    out = tmp_path / "all.docx"
    assert main(["--data-dir", str(settings.data_dir), "bulletin", "--programme", "all",
                 "--period", "2025-Q3", "--out", str(out)]) == 0  # fmt: skip
    doc = Document(str(out))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert doc.paragraphs[0].text == "铁岭市残疾人康复工作进度通报"
    for heading in (
        "一、精康融合行动",
        "二、残疾人精准康复服务行动",
        "三、残疾儿童康复救助",
        "六、需要关注的问题",
        "七、下一步工作要求",
    ):
        assert heading in text
    assert len(doc.tables) == 5 and len(doc.inline_shapes) == 5
    child = export_frame(settings, "served_count", "child_rehab", 2025, date(2025, 9, 30)).filter(
        district_code="city"
    )
    assert f"全市服务人数为{child.item(0, 'value'):,.0f}" in text
    assert archived(settings)[-1]["programme"] == "all"
