"""Files built to take memory without bound are refused with their reason, in one pass of
constant memory; files that only look a little like them still load every row.

The nasty files are generated here, at test time, at the smallest size that trips each limit;
their real-size memory use is measured in benchmarks/bounded_inputs.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.ingest.read import MAX_COLUMNS, FileRefused, open_sources
from pipelines.ingest.reports import rejected_rows
from pipelines.run import run_pipeline
from tests.conftest import BAD_INPUT, TODAY

BASE = (BAD_INPUT / "_base_cases.csv").read_text(encoding="utf-8")  # title, blank, header, 4 rows
HEAD, ROWS = "".join(BASE.splitlines(True)[:3]), "".join(BASE.splitlines(True)[3:])
LINES = len(BASE.splitlines())


def _run(settings, inbox: Path, text: str, name: str = "个案.csv", encoding: str = "utf-8"):
    (inbox / name).write_text(text, encoding=encoding, newline="")
    result = run_pipeline(settings, inbox, today=TODAY)
    (file,) = result.files
    return file


def _refusal(settings, name: str = "个案.csv") -> tuple:
    _, rejects = rejected_rows(settings)
    return rejects.filter(file=name).select("row", "reason_code").rows()


def test_a_csv_of_a_megabyte_of_blank_lines_is_refused_not_read(settings, inbox):
    # 50 MB of these took 3 GB of memory: every blank line became a row of empty cells.
    file = _run(settings, inbox, BASE + "\n" * 1_000_000 + ROWS)
    assert (file.status, file.rows_loaded) == ("refused", 0)
    assert "空行" in file.message_zh and "empty lines" in file.message_en
    assert _refusal(settings) == [(None, "file_blank_lines")]


def test_blank_lines_are_refused_in_a_utf16_file_too(settings, inbox):
    file = _run(settings, inbox, BASE + "\r\n" * 300_000, encoding="utf-16")
    assert file.status == "refused"
    assert _refusal(settings) == [(None, "file_blank_lines")]


def test_a_few_blank_lines_and_a_spreadsheets_empty_rows_still_load_every_row(settings, inbox):
    # Excel saves the empty rows of a sheet's used range as lines of separators: up to a
    # million of them. They cost no more than rows of data, so they are read, not refused.
    separators = ("," * 13 + "\r\n") * 30_000
    text = HEAD + "\n" * 50 + ROWS + "\n" * 5_000 + separators + "\n" * 9_000
    file = _run(settings, inbox, text)
    assert (file.status, file.rows_read, file.rows_loaded) == ("loaded", 4, 4)


def test_a_line_over_256_kb_after_the_header_is_refused_with_its_number(settings, inbox):
    # A million columns on a later line, not the first: 147 s to find the header before.
    file = _run(settings, inbox, BASE + "," * 1_000_000 + "\n" + ROWS)
    assert file.status == "refused"
    assert f"第{LINES + 1}行" in file.message_zh and f"Line {LINES + 1} " in file.message_en
    assert _refusal(settings) == [(None, "file_line_too_long")]


def test_a_wide_row_of_empty_cells_under_the_header_is_read_quickly(tmp_path, settings, inbox):
    # 200,000 empty cells on one line (within the line limit) among the rows the header is
    # looked for in: empty cells at a row's end name nothing, so they are not searched.
    file = _run(settings, inbox, HEAD + "," * 200_000 + "\n" + ROWS)
    assert (file.status, file.rows_loaded) == ("loaded", 4)


def test_a_row_wider_than_any_spreadsheet_near_the_header_is_refused(tmp_path, settings):
    from pipelines.indicators.reference import Reference

    path = tmp_path / "个案.csv"
    path.write_text(HEAD + "x," * (MAX_COLUMNS + 1) + "\n" + ROWS, encoding="utf-8")
    with pytest.raises(FileRefused) as refused:
        open_sources(path, Reference(settings), tmp_path / "work")
    assert refused.value.code == "file_too_many_columns"


def _workbook(path: Path, far: tuple[int, int] | None) -> None:
    """The base cases as an .xlsx, with one more cell at `far` (row, column; 0-based)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("个案")
    for r, line in enumerate(BASE.splitlines()):
        sheet.write_row(r, 0, line.split(",") if "," in line else [line])
    if far:
        sheet.write(*far, "x")
    book.close()


def test_a_workbook_with_one_cell_at_the_last_row_and_column_is_refused(settings, inbox):
    # A few KB: the reader would ask for 17 billion cells at once and end the process.
    _workbook(inbox / "个案.xlsx", far=(1_048_575, 16_383))
    assert (inbox / "个案.xlsx").stat().st_size < 20_000
    result = run_pipeline(settings, inbox, today=TODAY)
    (file,) = result.files
    assert file.status == "refused" and "A1:XFD1048576" in file.message_en
    assert _refusal(settings, "个案.xlsx") == [(None, "file_too_large")]


def test_the_sheet_area_limit_is_a_setting(tmp_path, inbox):
    from pipelines.settings import load_settings

    _workbook(inbox / "个案.xlsx", far=None)  # A1:N8, 112 cells
    small = load_settings(tmp_path / "small", jurisdiction="211200", max_sheet_cells=100)
    (file,) = run_pipeline(small, inbox, today=TODAY).files
    assert file.status == "refused" and "A1:N8" in file.message_en
    usual = load_settings(tmp_path / "usual", jurisdiction="211200")
    (file,) = run_pipeline(usual, inbox, today=TODAY).files
    assert (file.status, file.rows_loaded) == ("loaded", 4)


def test_a_workbook_reaching_far_through_cells_without_positions_is_refused(settings, inbox):
    # A cell may leave out its position (it follows the one before): a row numbered 100,000
    # holding 1,000 such cells asks for a hundred million cells just the same.
    import re
    import zipfile

    plain = inbox.parent / "plain.xlsx"
    _workbook(plain, far=None)
    row = '<row r="100000">' + "<c><v>1</v></c>" * 1000 + "</row>"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(inbox / "个案.xlsx", "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"</sheetData>", row.encode() + b"</sheetData>", data)
            out.writestr(info, data)
    (file,) = run_pipeline(settings, inbox, today=TODAY).files
    assert file.status == "refused" and "A1:ALZ100000" in file.message_en
