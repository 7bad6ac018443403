"""Every bad-input kind of §3: its reason code, its spreadsheet row, and every good row loaded."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.ingest.reports import rejected_rows
from pipelines.run import run_pipeline
from tests.conftest import TODAY, put

BAD_ROW = 7  # title, blank line, header; the fourth data row


def _table(settings, sql: str, *params):
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


CASES = [
    ("cases_missing_required_case_id.csv", "missing_required", "个案编号"),
    ("cases_missing_required_registration_date.csv", "missing_required", "登记日期"),
    ("cases_missing_identifier.csv", "missing_identifier", "身份证号"),
    ("cases_id_format.csv", "id_format", "身份证号"),
    ("cases_id_checksum.csv", "id_checksum", "身份证号"),
    ("cases_id_birth_date.csv", "id_birth_date", "身份证号"),
    ("cases_id_excel_float.csv", "id_excel_float", "身份证号"),
    ("cases_certificate_format.csv", "certificate_format", "残疾人证号"),
    ("cases_certificate_mismatch.csv", "certificate_mismatch", "残疾人证号"),
    ("cases_date_invalid.csv", "date_invalid", "登记日期"),
    ("cases_date_out_of_range_future.csv", "date_out_of_range", "登记日期"),
    ("cases_date_out_of_range_1900.csv", "date_out_of_range", "登记日期"),
    ("cases_end_before_start_exit.csv", "end_before_start", "退出日期"),
    ("cases_category_invalid.csv", "category_invalid", "残疾类别"),
    ("cases_level_invalid.csv", "level_invalid", "残疾等级"),
    ("cases_gender_invalid.csv", "gender_invalid", "性别"),
    ("cases_poverty_invalid.csv", "poverty_invalid", "贫困类型"),
    ("cases_programme_unknown.csv", "programme_unknown", "项目名称"),
    ("cases_yes_no_invalid.csv", "yes_no_invalid", "是否有康复需求"),
    ("cases_district_unknown_name.csv", "district_unknown", "所属区县"),
    ("cases_district_unknown_code.csv", "district_unknown", "所属区县"),
]


@pytest.mark.parametrize(("file", "reason", "column"), CASES, ids=[c[0] for c in CASES])
def test_bad_case_row_is_quarantined_and_good_rows_load(settings, inbox, file, reason, column):
    put(inbox, file)
    result = run_pipeline(settings, inbox, today=TODAY)

    (f,) = result.files
    assert (f.status, f.rows_read, f.rows_loaded, f.rows_rejected) == ("loaded", 4, 3, 1)
    _, rejects = rejected_rows(settings)
    assert rejects.select("file", "row", "column", "reason_code").rows() == [
        (file, BAD_ROW, column, reason)
    ]
    assert rejects.item(0, "message_zh") and rejects.item(0, "message_en")
    loaded = _table(settings, "select case_id from cases order by case_id")
    assert [r[0] for r in loaded] == ["YZ-0001", "YZ-0002", "YZ-0003"]


SERVICES = [
    ("services_end_before_start_service.csv", "end_before_start", "服务结束日期"),
    ("services_orphan_service.csv", "orphan_service", "个案编号"),
    ("services_number_invalid.csv", "number_invalid", "补助金额（元）"),
    ("services_number_invalid_negative.csv", "number_invalid", "训练月数"),
]


@pytest.mark.parametrize(("file", "reason", "column"), SERVICES, ids=[s[0] for s in SERVICES])
def test_bad_service_row_is_quarantined(settings, inbox, file, reason, column):
    put(inbox, "_base_cases.csv", file)
    result = run_pipeline(settings, inbox, today=TODAY)

    services = next(f for f in result.files if f.file == file)
    assert (services.rows_read, services.rows_loaded, services.rows_rejected) == (4, 3, 1)
    _, rejects = rejected_rows(settings)
    assert rejects.select("file", "row", "column", "reason_code").rows() == [
        (file, BAD_ROW, column, reason)
    ]
    assert _table(settings, "select count(*) from services")[0][0] == 3


def test_orphans_are_judged_after_the_runs_cases(settings, inbox):
    """A services file sorted before its cases file still finds the cases of the same run."""
    put(inbox, "services_end_before_start_service.csv", "_base_cases.csv")
    (inbox / "_base_cases.csv").rename(inbox / "zz_个案.csv")
    run_pipeline(settings, inbox, today=TODAY)
    assert _table(settings, "select count(*) from services")[0][0] == 3


def test_bad_staff_year(settings, inbox):
    put(inbox, "staff_year_invalid.csv")
    result = run_pipeline(settings, inbox, today=TODAY)
    assert (result.files[0].rows_loaded, result.files[0].rows_rejected) == (3, 1)
    _, rejects = rejected_rows(settings)
    assert rejects.select("row", "column", "reason_code").rows() == [
        (BAD_ROW, "年度", "year_invalid")
    ]


def test_differing_duplicate_keys_are_both_quarantined(settings, inbox):
    put(inbox, "cases_duplicate_key.csv")
    result = run_pipeline(settings, inbox, today=TODAY)
    assert (result.files[0].rows_loaded, result.files[0].rows_rejected) == (2, 2)
    _, rejects = rejected_rows(settings)
    assert rejects.select("row", "column", "reason_code").rows() == [
        (6, "个案编号", "duplicate_key"),
        (7, "个案编号", "duplicate_key"),
    ]


def test_exact_repeat_is_collapsed_with_a_warning(settings, inbox):
    put(inbox, "cases_duplicate_exact.csv")
    result = run_pipeline(settings, inbox, today=TODAY)
    f = result.files[0]
    assert (f.rows_read, f.rows_loaded, f.rows_rejected, f.rows_warned) == (4, 3, 0, 1)
    warnings = _table(
        settings,
        "select \"row\", reason_code, message_zh from quarantine where severity = 'warning'",
    )
    assert warnings == [(7, "duplicate_exact", "与本文件第6行完全相同，已合并为一行")]


def test_unknown_column_is_reported_not_dropped_silently(settings, inbox):
    put(inbox, "cases_unknown_column.csv")
    result = run_pipeline(settings, inbox, today=TODAY)
    assert result.files[0].unknown_columns == ["联系电话"]
    assert result.files[0].rows_loaded == 4


@pytest.mark.parametrize(
    ("file", "reason"),
    [
        ("cases_no_key_column.csv", "no_key_column"),
        ("cases_file_unreadable_truncated.xlsx", "file_unreadable"),
        ("cases_file_unreadable_gibberish.csv", "file_unreadable"),
    ],
)
def test_unusable_file_is_refused_and_the_run_goes_on(settings, inbox, file, reason):
    put(inbox, file, "_base_cases.csv")
    result = run_pipeline(settings, inbox, today=TODAY)
    status = {f.file: f.status for f in result.files}
    assert status == {file: "refused", "_base_cases.csv": "loaded"}
    _, rejects = rejected_rows(settings)
    assert rejects.filter(file=file).select("row", "reason_code").rows() == [(None, reason)]
    assert _table(settings, "select count(*) from cases")[0][0] == 4
