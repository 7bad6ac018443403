"""Workbooks saved by a real spreadsheet program, in the layouts district offices send.

The files in tests/fixtures/workbooks/out were made by LibreOffice Calc from hand-written
sources (see make_workbooks.py): header anywhere, two-row headers, merged cells, several
sheets, ID numbers in number cells, footers, header spellings, district spellings, a CSV
with a line break in its title, Excel's ="…" trick, GB18030 and UTF-16 text, a WPS file,
and files that are not data. Everything is loaded in one run; each file must come out
exactly: rows loaded, rows rejected at the row numbers the spreadsheet shows, reasons.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest.inbox import inbox_files
from pipelines.run import run_pipeline
from schemas.idnumbers import upgrade_15
from tests.conftest import FIXTURES, TODAY

OUT = FIXTURES / "workbooks" / "out"
TEXT_VARIANTS = (".csv", "-GB18030.csv", "-Unicode文本.txt")
WORKBOOKS = (".xlsx", ".xls")

# layout → (sheet of the workbooks, rows loaded, rejects (row, column, reason, case id),
# values carried from merged cells, variants)
LAYOUTS = {
    "01_个案_表头在C4": ("登记表", 5, [(8, "建档日期", "date_invalid", "C4-004")], 0,
                      WORKBOOKS + TEXT_VARIANTS),
    "02_个案_标题与合计行": ("Sheet1", 5, [(6, "公民身份号码", "id_checksum", "T2-003")], 0,
                        WORKBOOKS + TEXT_VARIANTS),
    "03_个案_两行表头": ("个案", 6, [(8, "性别", "gender_invalid", "R3-005")], 0,
                     WORKBOOKS + TEXT_VARIANTS),
    "04_个案_合并单元格分组": ("名单", 6, [(8, "建档日期", "date_invalid", "M4-007")], 14, WORKBOOKS),
    "06_个案_身份证号为数字": ("个案", 3, [(3, "身份证号", "id_excel_float", "6002"),
                                  (5, "身份证号", "id_excel_float", "6004"),
                                  (7, "残疾人证号", "id_excel_float", "6006")], 0,
                        WORKBOOKS + TEXT_VARIANTS),
    "07_个案_页脚": ("个案", 5, [], 0, WORKBOOKS + TEXT_VARIANTS),
    "08_个案_表头别名": ("儿童", 3, [], 0, WORKBOOKS + TEXT_VARIANTS),
    "09_个案_区县写法": ("个案", 5, [(3, "县区", "district_ambiguous", "N9-002"),
                             (7, "县区", "district_unknown", "N9-006")], 0,
                     WORKBOOKS + TEXT_VARIANTS),
}  # fmt: skip
SINGLE = {
    # file → (dataset, sheet, rows loaded, rejects (sheet, row, column, reason))
    "05_个案_分区县工作表.xlsx": ("cases", "银州区、清河区", 6, [("清河区", 3, "档案编号", "missing_required")]),
    "05_个案_分区县工作表.xls": ("cases", "银州区、清河区", 6, [("清河区", 3, "档案编号", "missing_required")]),
    "10_个案_多行标题.csv": ("cases", None, 3, [(None, 6, "建档日期", "date_invalid")]),
    # Opened in LibreOffice, the CSV's ID numbers became numbers (the X one stayed text).
    "10_个案_多行标题.xlsx": ("cases", "10_个案_多行标题", 1, [
        ("10_个案_多行标题", 4, "身份证号", "id_excel_float"),
        ("10_个案_多行标题", 6, "建档日期", "date_invalid"),
        ("10_个案_多行标题", 6, "身份证号", "id_excel_float"),
        ("10_个案_多行标题", 7, "身份证号", "id_excel_float"),
    ]),
    "11_个案_等号文本.csv": ("cases", None, 3, []),
    "12_服务_WPS表格.et": ("services", "服务记录", 2, [("服务记录", 5, "服务结束日期", "end_before_start")]),
}  # fmt: skip
NOT_LOADED = {
    "13_个案_损坏的WPS表格.et": ("refused", "file_wps_et"),
    "14_填报说明.docx": ("refused", "file_type_unsupported"),
    "~$01_个案_表头在C4.xlsx": ("skipped", None),
}


def _expected() -> dict[str, tuple]:
    out = {}
    for stem, (sheet, loaded, rejects, merged, variants) in LAYOUTS.items():
        for variant in variants:
            text = not variant.startswith(".x")
            out[stem + variant] = (
                "cases",
                None if text else sheet,
                loaded,
                [(None if text else sheet, row, col, reason) for row, col, reason, _ in rejects],
                0 if text else merged,
            )
    return out | {file: (*values, 0) for file, values in SINGLE.items()}


EXPECTED = _expected()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    from pipelines.settings import load_settings

    root = tmp_path_factory.mktemp("workbooks")
    inbox = root / "inbox"
    shutil.copytree(OUT, inbox)
    settings = load_settings(root / "data", jurisdiction="211200")
    result = run_pipeline(settings, inbox, today=TODAY)
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        quarantine = con.execute(
            'select file, sheet, "row", "column", reason_code, severity, message_zh, message_en '
            "from quarantine"
        ).fetchall()
        cases = {
            r[0]: r[1:]
            for r in con.execute(
                "select case_id, programme, district_code, township, id_masked, "
                "registration_date from cases"
            ).fetchall()
        }
        registered = {r[0] for r in con.execute("select file from loaded_files").fetchall()}
    finally:
        con.close()
    return settings, inbox, result, quarantine, cases, registered


def test_every_fixture_is_covered_and_every_inbox_file_is_reported(loaded):
    _, inbox, result, *_ = loaded
    on_disk = {p.name for p in OUT.iterdir()}
    assert on_disk == set(EXPECTED) | set(NOT_LOADED)
    assert {r.file for r in result.files} == {p.name for p in inbox_files(inbox)} == on_disk


@pytest.mark.parametrize("file", sorted(EXPECTED))
def test_file_loads_exactly(loaded, file):
    _, _, result, quarantine, _, registered = loaded
    dataset, sheet, rows_loaded, rejects, merged = EXPECTED[file]
    (f,) = [r for r in result.files if r.file == file]
    assert (f.status, f.dataset, f.sheet) == ("loaded", dataset, sheet)
    assert (f.rows_loaded, f.merged_values) == (rows_loaded, merged)
    assert f.rows_rejected == len({(s, r) for s, r, _, _ in rejects})
    assert f.rows_read == f.rows_loaded + f.rows_rejected + f.rows_warned > 0
    got = sorted(
        (q[1], q[2], q[3], q[4]) for q in quarantine if q[0] == file and q[5] == "rejected"
    )
    assert got == sorted(rejects)
    assert file in registered


@pytest.mark.parametrize("stem", [s for s in LAYOUTS if ".csv" in LAYOUTS[s][4]])
def test_reported_rows_are_the_rows_libreoffice_shows(stem):
    """The row numbers of the expected rejects are the sheet rows where LibreOffice shows that
    case, checked against LibreOffice's own CSV export of the sheet (one record per row)."""
    with (OUT / f"{stem}.csv").open(encoding="utf-8", newline="") as f:
        records = list(csv.reader(f))
    for row, _, _, case_id in LAYOUTS[stem][2]:
        assert case_id in records[row - 1]


def test_not_data_files_are_reported_with_a_reason(loaded):
    _, _, result, quarantine, _, registered = loaded
    for file, (status, reason) in NOT_LOADED.items():
        (f,) = [r for r in result.files if r.file == file]
        assert f.status == status and f.message_zh and f.message_en
        assert file not in registered
        if reason:
            assert [(q[4], q[5]) for q in quarantine if q[0] == file] == [(reason, "refused")]
    # No library message reaches the user as the reason.
    for q in quarantine:
        assert "Error" not in q[6] + q[7] and "calamine" not in (q[6] + q[7]).lower()


def test_merged_cells_give_every_row_its_value(loaded):
    _, _, result, _, cases, _ = loaded
    for file in ("04_个案_合并单元格分组.xlsx", "04_个案_合并单元格分组.xls"):
        (f,) = [r for r in result.files if r.file == file]
        assert f.merged_values == 14
        assert "14" in f.message_zh and "14" in f.message_en

    def where(case_id: str) -> tuple:
        return cases[case_id][:3]

    assert where("M4-001") == where("M4-002") == ("mental_rehab", "211224", "昌图镇")
    assert where("M4-003") == ("mental_rehab", "211224", "宝力镇")
    assert where("M4-004") == ("mental_rehab", "211282", "八宝镇")
    assert where("M4-005") == where("M4-006") == ("child_rehab", "211282", "八宝镇")


def test_every_data_sheet_is_read_and_the_others_are_listed(loaded):
    _, _, result, quarantine, cases, _ = loaded
    assert {cases[c][1] for c in ("S5-001", "S5-002", "S5-003", "S5-004")} == {"211202"}
    assert {cases[c][1] for c in ("S5-101", "S5-103")} == {"211204"}
    for file in ("05_个案_分区县工作表.xlsx", "05_个案_分区县工作表.xls"):
        skipped = sorted((q[1], q[4]) for q in quarantine if q[0] == file and q[5] == "warning")
        assert skipped == [("填表说明", "sheet_not_data"), ("目录", "sheet_not_data"),
                           ("空白", "sheet_empty")]  # fmt: skip
        (f,) = [r for r in result.files if r.file == file]
        assert "填表说明" in f.message_zh and "目录" in f.message_en


def test_identity_numbers_in_number_cells(loaded):
    *_, cases, _ = loaded
    legacy = upgrade_15("211224720315041")
    assert cases["6003"][3] == legacy[:6] + "********" + legacy[-4:]  # exact in a number cell
    assert cases["6005"][3].endswith("003X")
    assert "6002" not in cases and "6004" not in cases  # damaged digits never load
    assert cases["X11-001"][3].startswith("211202")  # ="…" unwrapped


def test_header_spellings_and_positions(loaded):
    *_, cases, _ = loaded
    assert cases["A8-001"][1:3] == ("211223", "西丰镇")
    assert str(cases["A8-001"][4]) == "2024-07-01"
    assert cases["C4-001"][1:3] == ("211202", "铜钟街道")
    assert cases["R3-001"][1:3] == ("211202", "铜钟街道")


def test_district_spellings(loaded):
    _, _, _, quarantine, cases, _ = loaded
    assert {c: cases[c][1] for c in ("N9-001", "N9-003", "N9-004", "N9-005", "N9-007")} == {
        "N9-001": "211221", "N9-003": "211282", "N9-004": "211282", "N9-005": "211223",
        "N9-007": "211281",
    }  # fmt: skip
    (ambiguous,) = {q[6] for q in quarantine if q[4] == "district_ambiguous"}
    assert "铁岭县" in ambiguous and "铁岭市" in ambiguous


def test_no_copy_of_a_file_is_left_behind(loaded, tmp_path_factory):
    """GB18030 and UTF-16 files are read through a UTF-8 copy inside the inbox area only."""
    settings, *_ = loaded
    assert settings.work_dir.is_relative_to(settings.inbox_dir)
    assert not list(settings.work_dir.glob("*"))
    assert not list(Path(tempfile.gettempdir()).glob("rehab-*.csv"))


def test_a_second_run_skips_what_loaded_and_refuses_again_what_did_not(loaded):
    settings, inbox, first, *_ = loaded
    leftover = settings.work_dir / "transcode-999-killed.csv"  # what a killed run leaves
    leftover.write_text("211202198506070111", encoding="utf-8")
    second = run_pipeline(settings, inbox, today=TODAY)
    assert not leftover.exists()
    status = {f.file: f.status for f in second.files}
    for f in first.files:
        if f.status == "loaded":
            assert status[f.file] == "skipped"
    assert status["13_个案_损坏的WPS表格.et"] == "refused"
