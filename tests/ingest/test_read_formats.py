"""Inputs as districts send them: encodings, Excel layouts, Parquet, and §3 normalisation."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
import xlsxwriter

from pipelines.run import run_pipeline
from schemas.idnumbers import check_digit, make_id
from tests.conftest import TODAY

HEADER = [
    "档案编号",
    "项目",
    "公民身份号码",
    "姓名",
    "县区",
    "乡镇",
    "建档日期",
    "有无康复需求",
    "残疾等级",
]
ID_A = make_id("211202", date(1985, 6, 7), 123)
ID_X = next(  # an ID whose check character is X
    make_id("211221", date(1990, 2, 3), n)
    for n in range(1000)
    if make_id("211221", date(1990, 2, 3), n).endswith("X")
)
ID_15 = "211224" + "720315" + "041"  # legacy: born 1972-03-15
ID_15_AS_18 = "21122419720315041" + check_digit("21122419720315041")
FULLWIDTH = ID_A.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))

ROWS = [
    # written as a district might → what must be stored
    ["JK-1", "精康融合", ID_A, "王小明", "昌图", "昌图镇", "2024/3/5", "√", "二级"],
    [
        "JK-2",
        "mental_rehab",
        ID_X.lower(),
        "李娜",
        "铁岭市开原市",
        "老城街道",
        "2024年3月5日",
        "Y",
        "2",
    ],
    ["JK-3", "精康融合行动", ID_15, "赵四", "211202", "铜钟街道", "20240305", "1", "三级"],
    ["JK-4", "精康融合", FULLWIDTH, "孙悟空", "西丰", "西丰镇", "2024.3.5", "否", "4"],
    ["JK-5", "精康融合", "\u200b" + ID_A, "周五", "清河区", "红旗街道", "45356", "0", "一级"],
]
EXPECTED = [
    ("JK-1", "mental_rehab", "211224", date(2024, 3, 5), True, "2", "王*明"),
    ("JK-2", "mental_rehab", "211282", date(2024, 3, 5), True, "2", "李*"),
    ("JK-3", "mental_rehab", "211202", date(2024, 3, 5), True, "3", "赵*"),
    ("JK-4", "mental_rehab", "211223", date(2024, 3, 5), False, "4", "孙*空"),
    ("JK-5", "mental_rehab", "211204", date(2024, 3, 5), False, "1", "周*"),
]


def _csv_text() -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["铁岭市个案登记表（2024年3月）"])
    w.writerow(["填报单位：铁岭市残联", "", "填报日期：2024-03-31"])
    w.writerow([])
    w.writerow(HEADER)
    w.writerows(ROWS)
    w.writerow([])
    w.writerow(["合计", "5人"])
    w.writerow(["填表人：张某", "", "审核人：李某"])
    return buf.getvalue()


def _write_xlsx(path: Path) -> None:
    wb = xlsxwriter.Workbook(str(path))
    info = wb.add_worksheet("填表说明")
    info.write(0, 0, "请按模板填写，身份证号请设为文本格式。")
    ws = wb.add_worksheet("个案")
    ws.merge_range(0, 0, 0, len(HEADER) - 1, "铁岭市精康融合行动个案登记表")
    ws.write_row(2, 0, HEADER)
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    from datetime import datetime

    for i, row in enumerate(ROWS, start=3):
        for j, value in enumerate(row):
            if j == 6:  # a real Excel date cell
                ws.write_datetime(i, j, datetime(2024, 3, 5), date_fmt)
            else:
                ws.write_string(i, j, value)
    ws.write_row(len(ROWS) + 4, 0, ["合计", "5"])
    wb.close()


def _write(fmt: str, folder: Path) -> Path:
    if fmt == "xlsx":
        path = folder / "个案_登记表.xlsx"
        _write_xlsx(path)
    elif fmt == "parquet":
        path = folder / "个案_登记表.parquet"
        pl.DataFrame([dict(zip(HEADER, r, strict=True)) for r in ROWS]).write_parquet(path)
    else:
        path = folder / f"个案_{fmt}.csv"
        path.write_bytes(_csv_text().encode(fmt))
    return path


@pytest.mark.parametrize("fmt", ["utf-8", "utf-8-sig", "gb18030", "xlsx", "parquet"])
def test_every_format_loads_the_same_normalised_rows(settings, inbox, fmt):
    _write(fmt, inbox)
    result = run_pipeline(settings, inbox, today=TODAY)

    (f,) = result.files
    assert (f.status, f.rows_read, f.rows_loaded, f.rows_rejected) == ("loaded", 5, 5, 0)
    if fmt == "xlsx":
        assert f.sheet == "个案"
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        rows = con.execute(
            """
            select case_id, programme, district_code, registration_date, need_assessed,
                   disability_level, name_masked
            from cases order by case_id
            """
        ).fetchall()
        keys = dict(con.execute("select case_id, person_key from cases").fetchall())
        rows_at = dict(con.execute("select case_id, source_row from cases").fetchall())
    finally:
        con.close()
    assert rows == EXPECTED
    # The same person (JK-1 and JK-5: zero-width space, otherwise equal) gets one key.
    assert keys["JK-1"] == keys["JK-5"] == keys["JK-4"]
    assert len(keys["JK-1"]) == 32
    if fmt != "parquet":
        assert rows_at["JK-1"] == (5 if fmt != "xlsx" else 4)


def test_legacy_15_digit_id_becomes_18_digits(settings, inbox):
    _write("utf-8", inbox)
    run_pipeline(settings, inbox, today=TODAY)
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        masked, born, gender = con.execute(
            "select id_masked, birth_date, gender from cases where case_id = 'JK-3'"
        ).fetchone()
    finally:
        con.close()
    assert masked == ID_15_AS_18[:6] + "********" + ID_15_AS_18[-4:]
    assert born == date(1972, 3, 15)
    assert gender == "男"  # 17th digit (old 15th) 1 is odd
