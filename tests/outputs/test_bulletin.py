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
from pipelines.outputs.bulletin.chart import chart_png
from pipelines.outputs.bulletin.periods import period_choices
from pipelines.outputs.export import export_frame
from pipelines.settings import DEFAULT_REFERENCE_DIR, load_settings
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
        "七、督办事项",
        "八、重点任务进展",
        "九、下一步工作要求",
    ):
        assert heading in text
    assert len(doc.tables) == 5 and len(doc.inline_shapes) == 5
    child = export_frame(settings, "served_count", "child_rehab", 2025, date(2025, 9, 30)).filter(
        district_code="city"
    )
    assert f"全市服务人数为{child.item(0, 'value'):,.0f}" in text
    assert archived(settings)[-1]["programme"] == "all"


# -- every programme, one period, safe numbering -------------------------------------------


@pytest.fixture(scope="module")
def with_new_programme(tmp_path_factory, demo_inbox):
    """The demo plus a programme the districts have not reported on yet (no rows at all)."""
    data = tmp_path_factory.mktemp("bulletin-new") / "data"
    shutil.copytree(demo_inbox, data / "inbox")
    shipped = (DEFAULT_REFERENCE_DIR / "programmes.csv").read_text(encoding="utf-8")
    (data / "reference").mkdir(parents=True)
    (data / "reference" / "programmes.csv").write_text(
        shipped + "home_rehab,居家康复服务,居家康复,Home rehabilitation,居家康复对象,false,false,"
        "false,false,某区居家康复服务方案,service_coverage;served_count\n",
        encoding="utf-8",
    )
    assert main(["--data-dir", str(data), "pipeline", "run"]) == 0
    return load_settings(data, jurisdiction="211200")


def _text(path) -> str:
    return "\n".join(p.text for p in Document(str(path)).paragraphs)


def test_all_programmes_from_the_page_and_the_cli_include_one_without_data(
    with_new_programme, tmp_path
):
    from app import create_app
    from tests.conftest import login
    from tests.dashboards.test_access import call

    settings = with_new_programme
    out = tmp_path / "cli.docx"
    assert main(["--data-dir", str(settings.data_dir), "bulletin", "--programme", "all",
                 "--period", "2025-Q3", "--out", str(out)]) == 0  # fmt: skip
    client = login(create_app(settings).server.test_client(), settings, "office1", "office")
    response = call(
        client,
        [("bulletins-result", "children"), ("bulletins-archive-box", "children")],
        [("bulletins-generate", "n_clicks", 1), ("shell-lang", "value", "zh")],
        [("shell-programme", "value", "mental_rehab"), ("bulletins-period", "value", "2025-Q3"),
         ("bulletins-issuer", "value", None), ("bulletins-scope", "value", "all")],
    )  # fmt: skip
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    page_file = archived(settings)[-1]
    assert page_file["programme"] == "all" and page_file["number"] == "2025年第2期"
    from_page = settings.data_dir / "bulletins" / page_file["file"]
    for path in (out, from_page):
        text = _text(path)
        assert Document(str(path)).paragraphs[0].text == "铁岭市残疾人康复工作进度通报"
        for heading in ("一、精康融合行动", "二、残疾人精准康复服务行动", "三、残疾儿童康复救助",
                        "四、建档立卡贫困残疾人康复", "五、失能困难群众社会化组织化养护",
                        "六、居家康复服务", "七、需要关注的问题", "八、督办事项", "九、重点任务进展",
                        "十、下一步工作要求"):  # fmt: skip
            assert heading in text, heading
        assert "居家康复服务暂无数据" in text
        assert len(Document(str(path)).tables) == 5  # no table for the programme without data
    # The page's file is the CLI's document but the next number.
    assert _text(from_page).replace("第2期", "第1期") == _text(out)


def test_a_past_quarter_is_all_as_of_its_end(settings, tmp_path):
    from pipelines.warehouse.db import frame
    from pipelines.warehouse.snapshots import connect_published

    q2 = build(settings, "mental_rehab", "2025-Q2", tmp_path / "q2.docx")
    text = _text(tmp_path / "q2.docx")
    assert q2.period.as_of == date(2025, 6, 30) and "截至2025年6月30日" in text
    con = connect_published(settings)
    try:
        month = frame(con, "select indicator, district_name, status, numerator from indicator_monthly "
                           "where programme = 'mental_rehab' and year = 2025 and as_of = '2025-06-30' "
                           "and unit_level = 'district'")  # fmt: skip
        latest = frame(con, "select count(*) as n from notifications where status = 'open' and "
                            "programme = 'mental_rehab' and rule like 'progress_%' and rule <> "
                            "'progress_on_track'")  # fmt: skip
    finally:
        con.close()
    # The table is the quarter's.
    table = Document(str(tmp_path / "q2.docx")).tables[0]
    coverage = month.filter(indicator="service_coverage")
    for row in table.rows[1:-1]:
        name, served = row.cells[2].text, row.cells[4].text
        assert served == f"{coverage.filter(district_name=name).item(0, 'numerator'):,}"
    # The issues raised are those of June 30: one progress note per district and indicator
    # lagging or behind then — not the feed's, which is as of the data's latest date.
    notes = text.split("需要关注的问题")[1].split("下一步工作要求")[0]
    progress = notes.count("进度滞后") + notes.count("进度严重滞后")
    then = month.filter(pl.col("status").is_in(["lagging", "behind"])).height
    assert progress == then
    assert then != latest.item(0, "n")  # the test tells the two dates apart


def test_two_generations_at_once_get_different_numbers(settings, tmp_path):
    import subprocess
    import sys

    before = {b["number"] for b in archived(settings) if b["programme"] == "child_rehab"}
    command = [sys.executable, "-m", "pipelines.cli", "--data-dir", str(settings.data_dir),
               "bulletin", "--programme", "child_rehab", "--period", "2025-Q3", "--out"]  # fmt: skip
    procs = [subprocess.Popen([*command, str(tmp_path / f"{i}.docx")]) for i in range(2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    numbers = [b["number"] for b in archived(settings) if b["programme"] == "child_rehab"]
    new = [n for n in numbers if n not in before]
    assert len(new) == 2 and len(set(new)) == 2
    files = [b["file"] for b in archived(settings) if b["programme"] == "child_rehab"]
    assert len(set(files)) == len(files)


def test_a_torn_archive_line_is_survived(settings, tmp_path):
    index = settings.data_dir / "bulletins" / "index.jsonl"
    build(settings, "poverty_rehab", "2025-Q3", tmp_path / "first.docx")  # the archive exists
    entries = archived(settings)
    with index.open("a", encoding="utf-8") as f:
        f.write('{"programme": "poverty_rehab", "year": 20')  # a write cut off by a power loss
    assert archived(settings) == entries
    bulletin = build(settings, "poverty_rehab", "2025-Q3", tmp_path / "p.docx")
    assert archived(settings)[-1]["number"] == bulletin.number
    assert all(
        line.strip().endswith("}") for line in index.read_text(encoding="utf-8").splitlines()
    )


# -- the printed pages ---------------------------------------------------------------------


def _pdf_text(pdf_path) -> tuple[int, list[str]]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return len(pdf), [page.get_textpage().get_text_range() for page in pdf]
    finally:
        pdf.close()


@pytest.mark.parametrize(("programme", "pages"), [("mental_rehab", (3, 8)), ("all", (10, 22))])
def test_rendered_pages_keep_every_table_cell_on_one_line(settings, tmp_path, programme, pages):
    from pipelines.outputs.bulletin.pdf import office, to_pdf

    if office() is None:
        pytest.skip("LibreOffice Writer is not installed (.ci/run installs it)")
    bulletin = build(settings, programme, "2025-Q3", tmp_path / f"{programme}.docx")
    pdf = to_pdf(bulletin.path)
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")
    count, texts = _pdf_text(pdf)
    assert pages[0] <= count <= pages[1]
    text = "\n".join(texts)
    # Page numbers at the foot of every page.
    for n in range(1, count + 1):
        assert f"— {n} —" in texts[n - 1].replace("\r\n", "\n")
    # Every cell of every ranking table (rank, district, counts, values, status) is printed on
    # one line: a cell that wrapped would have a line break inside its text.
    document = Document(str(bulletin.path))
    for table in document.tables:
        for row in table.rows[1:]:
            for cell in row.cells:
                if cell.text:
                    assert cell.text in text, f"{cell.text!r} wraps"
    assert "抄送" in texts[-1] and "印发" in texts[-1]  # the 版记 closes the document


def test_a_bulletin_reads_one_snapshot_even_if_a_run_publishes_meanwhile(
    settings, tmp_path, monkeypatch
):
    import json

    import duckdb

    import pipelines.outputs.bulletin as bulletin_module
    from pipelines.warehouse import snapshots

    pointer = snapshots.published(settings)
    old = settings.data_dir / pointer["snapshot"]
    newer = old.with_name("run-999999.duckdb")
    real = bulletin_module.export_rows

    def publishing_meanwhile(con, *args, **kwargs):
        if not newer.exists():  # a run publishes other numbers while the bulletin is built
            shutil.copy(old, newer)
            with duckdb.connect(str(newer)) as w:
                w.execute("update indicator_values set numerator = numerator + 1000")
                w.execute("update indicator_monthly set numerator = numerator + 1000")
            moved = {
                **pointer,
                "snapshot": str(newer.relative_to(settings.data_dir)),
                "run_id": 999999,
            }
            settings.published_pointer.write_text(json.dumps(moved), encoding="utf-8")
        return real(con, *args, **kwargs)

    monkeypatch.setattr(bulletin_module, "export_rows", publishing_meanwhile)
    try:
        bulletin = build(settings, "precise_rehab", "2025-Q3", tmp_path / "pinned.docx")
    finally:
        settings.published_pointer.write_text(json.dumps(pointer), encoding="utf-8")
        newer.unlink(missing_ok=True)
    assert bulletin.snapshot == pointer["snapshot"] == archived(settings)[-1]["snapshot"]
    expected = export_frame(settings, "service_coverage", "precise_rehab", 2025, date(2025, 9, 30))
    served = {
        r.cells[2].text: r.cells[4].text for r in Document(str(bulletin.path)).tables[0].rows[1:-1]
    }
    assert served == {
        r["district_name"]: f"{r['numerator']:,}"
        for r in expected.filter(pl.col("district_code") != "city").iter_rows(named=True)
    }


def test_the_bulletin_reports_items_and_flags_tasks_past_their_deadline(settings, tmp_path):
    from pipelines.ops import supervision, tasks

    today = settings.current_date()
    item = supervision.open_item(
        settings, "office1", district="211223", programme="mental_rehab",
        indicator="service_coverage", origin="test", as_of=date(2025, 9, 30), snapshot=None,
        figures={"unit": "ratio", "value": 0.41}, action="整改", deadline=today, responsible="西丰县残联",
    )  # fmt: skip
    tasks.report(settings, "mental_rehab", "1", "211202", "done", "已报送实施计划", "yinzhou")
    out = tmp_path / "mental.docx"
    assert main(["--data-dir", str(settings.data_dir), "bulletin", "--programme", "mental_rehab",
                 "--period", "2025", "--out", str(out)]) == 0  # fmt: skip
    doc = Document(str(out))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "督办事项" in text and "新开具督办单1件" in text
    assert (
        f"{supervision.item(settings, item)['title']}（西丰县，精康融合行动服务覆盖率，开具时41.0%"
        in text
    )
    # Task (1) was due in November 2023: overdue in every district but 银州区, which did it.
    line = next(
        p for p in text.splitlines() if p.startswith("（1）结合市级“精康融合行动”实施方案要求")
    )
    assert "完成时限：2023年11月" in line and "1/7个县（市、区）已完成" in line
    assert "逾期：清河区、铁岭县、西丰县" in line and "银州区" not in line.split("逾期")[1]
