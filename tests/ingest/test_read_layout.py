"""Header recognition and the rows that are not data, on CSV text written by hand."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipelines.indicators.reference import Reference
from pipelines.ingest.read import FileRefused, open_sources
from pipelines.settings import load_settings


@pytest.fixture
def reference(tmp_path: Path) -> Reference:
    return Reference(load_settings(tmp_path / "data", jurisdiction="211200"))


def read(tmp_path: Path, reference: Reference, text: str, name: str = "个案.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    (source,) = open_sources(path, reference, tmp_path / "work")
    try:
        return source, source.lazy().collect()
    finally:
        source.close()


def test_column_number_row_and_repeated_header_and_spaced_footer_are_not_data(tmp_path, reference):
    _, df = read(tmp_path, reference, "\n".join([
        "档案编号,项目名称,县区,建档日期",
        "（1）,（2）,（3）,（4）",
        "A-1,精康融合,银州区,2024-01-02",
        "档案编号,项目名称,县区,建档日期",
        "A-2,精康融合,银州区,2024-01-03",
        "合  计,2人,,",
        ",,制 表：张某,",
    ]))  # fmt: skip
    assert df.select("_row", "case_id").rows() == [(3, "A-1"), (5, "A-2")]


def test_a_data_value_that_looks_like_a_header_stays_data(tmp_path, reference):
    _, df = read(tmp_path, reference, "\n".join([
        "档案编号,项目名称,县区,乡镇,建档日期",
        "A-1,精康融合,银州区,街道,2024-01-02",
        "A-2,精康融合,银州区,铜钟街道,2024-01-03",
    ]))  # fmt: skip
    assert df.get_column("case_id").to_list() == ["A-1", "A-2"]
    assert df.get_column("_row").to_list() == [2, 3]


def test_three_header_rows(tmp_path, reference):
    source, df = read(tmp_path, reference, "\n".join([
        ",个案信息,,,",
        "档案编号,基本情况,,服务,",
        ",项目名称,县区,建档日期,是否有康复需求",
        "A-1,精康融合,银州区,2024-01-02,是",
    ]))  # fmt: skip
    assert source.header_row == 3
    assert df.select("_row", "case_id", "programme", "district", "registration_date",
                     "need_assessed").rows() == [(4, "A-1", "精康融合", "银州区", "2024-01-02", "是")]  # fmt: skip


def test_header_in_the_first_rows_only(tmp_path, reference):
    text = "\n".join(
        ["说明"] * 40 + ["档案编号,项目名称,县区,建档日期", "A-1,精康融合,银州区,2024-01-02"]
    )
    with pytest.raises(FileRefused) as refused:
        read(tmp_path, reference, text)
    assert refused.value.code == "no_key_column"


def test_tab_separated_unicode_text(tmp_path, reference):
    text = "档案编号\t项目名称\t县区\t建档日期\r\nA-1\t精康融合\t银州区\t2024-01-02\r\n"
    _, df = read(tmp_path, reference, text, "个案.txt", encoding="utf-16")
    assert df.select("_row", "case_id", "district").rows() == [(2, "A-1", "银州区")]
    assert not list((tmp_path / "work").iterdir())


def test_time_of_day_and_apostrophe(tmp_path, reference):
    from pipelines.ingest.normalise import date_text, id_text

    out = pl.DataFrame(
        {"d": ["2024-03-05 14:20", "2024/3/5 08:00:00"], "i": ["'21120219850607011x", None]}
    )
    out = out.select(date_text(pl.col("d")), id_text(pl.col("i")))
    assert out.rows() == [("2024-03-05", "21120219850607011X"), ("2024-03-05", None)]


def test_a_zip_bomb_workbook_is_refused_before_it_is_read(tmp_path, reference):
    import tracemalloc
    import zipfile

    bomb = tmp_path / "个案.xlsx"
    row = "<row>" + "<c><v>1</v></c>" * 100 + "</row>"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            for _ in range(40_000):  # 60 MB of sheet XML, a few hundred KB packed
                sheet.write(row.encode())
    assert bomb.stat().st_size < 1024 * 1024
    tracemalloc.start()
    with pytest.raises(FileRefused) as refused:
        open_sources(bomb, reference, tmp_path / "work")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert refused.value.code == "file_too_large" and "MB unpacked" in refused.value.detail
    assert peak < 20 * 1024 * 1024  # nothing was unpacked


def test_a_csv_with_a_first_line_wider_than_any_header_is_refused(tmp_path, reference):
    path = tmp_path / "个案.csv"
    path.write_text("," * 1_000_000 + "\nA-1\n", encoding="utf-8")
    with pytest.raises(FileRefused) as refused:
        open_sources(path, reference, tmp_path / "work")
    assert refused.value.code == "file_line_too_long" and refused.value.detail == "1"
