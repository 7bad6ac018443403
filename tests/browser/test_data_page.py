"""Upload a file with bad rows on the data page, see the report, download the rejects."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from tests.conftest import BAD_INPUT

pytestmark = pytest.mark.browser


def test_upload_a_file_see_the_report_and_download_the_rejects(server, page, tmp_path):
    page.goto(server["url"] + "/data")
    page.wait_for_selector("#data-report-summary", timeout=30_000)  # the latest run's report
    latest = int(page.inner_text("#data-report-summary").split()[1])
    page.set_input_files("#data-upload input[type=file]", str(BAD_INPUT / "cases_date_invalid.csv"))
    page.wait_for_selector("#data-upload-list", timeout=30_000)
    assert "cases_date_invalid.csv" in page.inner_text("#data-upload-list")
    # The run happens in the background; the report appears by itself.
    page.wait_for_selector(
        f"#data-report-summary:has-text('处理批次 {latest + 1} ')", timeout=120_000
    )
    report = page.inner_text("#data-report")
    assert "cases_date_invalid.csv" in report and "日期" in report
    # The "validating…" note has given way to "done" (it does not linger over the report).
    page.wait_for_selector("#data-progress:has-text('处理完成')", timeout=10_000)
    # Processed, the uploaded file (raw identities) has left the server, as the page says.
    assert not (server["data"] / "inbox" / "cases_date_invalid.csv").exists()
    assert "删除" in page.inner_text("#data-upload-fate")
    assert f"{latest + 1}\t网页上传" in page.inner_text("#data-history")
    with page.expect_download() as download:
        page.click("#data-rejects-csv")
    path = Path(tmp_path / "rejects.csv")
    download.value.save_as(path)
    rejects = pl.read_csv(path, infer_schema=False)
    row = rejects.filter(pl.col("file") == "cases_date_invalid.csv").row(0, named=True)
    assert row["reason_code"] == "date_invalid" and row["row"] and row["message_en"]
    # A template downloads as an Excel file.
    with page.expect_download() as template:
        page.locator("button", has_text="个案登记").click()
    assert template.value.suggested_filename == "个案登记_报送模板.xlsx"
    assert page.console_errors == []


def test_an_older_ledger_sent_again_is_flagged_and_the_correction_re_applied(
    server, page, tmp_path
):
    from tests.run.test_resend import CORRECTION, LEDGER, ledger

    sent = {name: tmp_path / name for name in ("a", "b", "c")}
    for folder in sent.values():
        folder.mkdir()
    (sent["a"] / LEDGER).write_text(ledger(range(1, 13)), encoding="utf-8")
    (sent["a"] / CORRECTION).write_text(ledger(range(1, 13), lambda _n: "凡河镇"), encoding="utf-8")
    (sent["b"] / LEDGER).write_text(ledger(range(1, 14)), encoding="utf-8")  # re-exported
    (sent["c"] / CORRECTION).write_bytes((sent["a"] / CORRECTION).read_bytes())
    page.goto(server["url"] + "/data")
    page.wait_for_selector("#data-report-summary", timeout=30_000)
    run = int(page.inner_text("#data-report-summary").split()[1])

    def upload(*paths: Path) -> str:
        nonlocal run
        run += 1
        page.set_input_files("#data-upload input[type=file]", [str(p) for p in paths])
        page.wait_for_selector(f"#data-report-summary:has-text('处理批次 {run} ')", timeout=120_000)
        page.wait_for_selector("#data-progress:has-text('处理完成')", timeout=10_000)
        return page.inner_text("#data-report")

    upload(sent["a"] / LEDGER, sent["a"] / CORRECTION)  # one run: the correction applies last
    upload(sent["b"] / LEDGER)
    warning = page.inner_text("#data-report-replaced")
    assert f"本文件覆盖了由较新文件“{CORRECTION}”写入的12行" in warning
    assert "被覆盖的较新数据 12 行" in page.inner_text("#data-history")
    page.check("#data-reapply input[type=checkbox]")
    report = upload(sent["c"] / CORRECTION)
    assert "已重新导入" in report and f"替换了由“{LEDGER}”写入的12行" in report
    assert f"{run}\t网页上传 · 重新导入 1 个文件" in page.inner_text("#data-history")
    assert page.console_errors == []


def test_targets_page_refuses_an_invalid_value(server, page):
    page.goto(server["url"] + "/targets")
    page.wait_for_selector("#targets-grid .ag-row", timeout=30_000)
    cell = page.locator("#targets-grid .ag-row[row-index='0'] [col-id='value']")
    cell.dblclick()
    page.keyboard.press("Control+A")
    page.keyboard.type("7")
    page.keyboard.press("Enter")
    page.click("#targets-save")
    page.wait_for_selector("#targets-problems", timeout=30_000)
    assert "第2行" in page.inner_text("#targets-problems")
    assert page.console_errors == []


@pytest.fixture
def own_province(province, tmp_path):
    """The app on a copy of the province demo (this test changes a target)."""
    import shutil

    from tests.browser.conftest import _serve

    data = tmp_path / "data"
    shutil.copytree(province.data_dir, data)
    yield from _serve(data, "210000")


def test_a_saved_target_shows_on_the_open_overview_without_a_reload(own_province, browser):
    from tests.browser.conftest import _new_page, log_in

    overview, targets = _new_page(browser), _new_page(browser)
    url = own_province
    log_in(overview, url)
    card = "#overview-cards .card:first-child .status"
    overview.wait_for_selector(card, timeout=30_000)
    before = overview.inner_text(card)
    assert before != "达标"
    log_in(targets, url, next_path="/targets")
    targets.wait_for_selector("#targets-grid .ag-row", timeout=30_000)
    # mental_rehab service_coverage 2025 (the third row): 0.60 → 0.10, met by every city
    cell = targets.locator("#targets-grid .ag-row[row-index='2'] [col-id='value']")
    assert float(cell.inner_text()) == 0.6
    cell.dblclick()
    targets.keyboard.press("Control+A")
    targets.keyboard.type("0.1")
    targets.keyboard.press("Enter")
    targets.click("#targets-save")
    targets.wait_for_selector("#targets-saved", timeout=30_000)
    # The overview, left open, shows the republished status by itself.
    overview.wait_for_function(
        f"(document.querySelector('{card}') || {{}}).innerText === '达标'", timeout=120_000
    )
    assert overview.url.endswith("/") or "?" in overview.url  # the same page, not reloaded
    assert overview.console_errors == []
    overview.context.close()
    targets.context.close()
