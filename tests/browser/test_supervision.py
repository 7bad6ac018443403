"""督办 end to end in the real app: the office opens an item from a lagging district's
notification, the district answers it with an attachment, the office closes it and the next
bulletin lists it as closed; another district's user can neither see nor answer it."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document

from tests.browser.conftest import _new_page, log_in

pytestmark = pytest.mark.browser

OWN = "211202"  # 银州区, the district user yinzhou's


def _docx_bytes() -> bytes:
    doc = Document()
    doc.add_paragraph("银州区整改情况报告")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _as(browser, server, name):
    page = _new_page(browser)
    log_in(page, server["url"], name)
    return page


def test_office_opens_district_answers_office_closes_bulletin_lists_it(browser, server):
    from pipelines.ops import accounts
    from pipelines.settings import load_settings
    from tests.conftest import PASSWORD

    settings = load_settings(server["data"], jurisdiction="211200")
    known = {u.name for u in accounts.users(settings)}
    for name, role, district in (("office1", "office", None), ("xifeng", "district", "211223")):
        if name not in known:
            accounts.add_user(settings, name, role, PASSWORD, district)

    # A programme in which 银州区 lags (the header's programme filters the feed).
    from dashboards.auth import Scope
    from dashboards.queries import notifications

    feed = notifications(Scope(settings, "office1", "office", None), "open", district=OWN)
    lagging = feed.filter(feed["rule"].is_in(["progress_lagging", "progress_behind"])).row(
        0, named=True
    )

    # The office: from the feed, a lagging district's notification → 督办.
    office = _as(browser, server, "office1")
    office.goto(
        server["url"] + f"/notifications?programme={lagging['programme']}&year={lagging['year']}"
    )
    office.wait_for_selector("#notify-table a.notify-supervise", timeout=30_000)
    row = office.locator(
        "#notify-table tr.notify-progress_lagging, #notify-table tr.notify-progress_behind"
    )
    row = row.filter(has_text="银州区").first
    row.locator("a.notify-supervise").click()
    office.wait_for_url("**/supervision/open/**", timeout=15_000)
    office.wait_for_selector("#supervision-form", timeout=30_000)
    assert "银州区" in office.inner_text("#supervision-draft-what")
    frozen = office.inner_text("#supervision-draft-figures")
    office.fill("#supervision-action", "请于两周内完成入户走访并报送整改情况")
    office.click("#supervision-submit")
    office.wait_for_url(re.compile(r".*/supervision/item/\d+"), timeout=15_000)
    office.wait_for_selector("#supervision-facts", timeout=30_000)
    item_url = office.url.split("?")[0]
    title = office.inner_text("#supervision-title")
    assert office.inner_text("#supervision-status") == "待整改"
    value_then = re.search(r"完成值([\d.]+%)", frozen)[1]
    assert value_then in office.inner_text("#supervision-facts")

    # Another district: not in its list, and the item's page shows nothing of it.
    other = _as(browser, server, "xifeng")
    other.goto(server["url"] + "/supervision")
    other.wait_for_selector("#supervision-empty, #supervision-table", timeout=30_000)
    assert title not in other.inner_text("#supervision-page")
    # The server refuses the item's content (403), whatever the browser asks for.
    with other.expect_response(
        lambda r: "_dash-update-component" in r.url and r.status == 403, timeout=30_000
    ):
        other.goto(item_url)
    assert other.locator("#supervision-facts").count() == 0
    assert other.locator("#supervision-answer-form").count() == 0
    other.context.close()

    # The district answers with a Word attachment.
    own = _as(browser, server, "yinzhou")
    own.goto(server["url"] + "/supervision")
    own.wait_for_selector("#supervision-table", timeout=30_000)
    own.get_by_role("row").filter(has_text=title).get_by_role("link").click()
    own.wait_for_selector("#supervision-answer-form", timeout=30_000)
    own.fill("#supervision-report", "已完成入户走访，新增服务对象12人")
    own.set_input_files("#supervision-upload input[type=file]", files=[{
        "name": "整改报告.docx", "buffer": _docx_bytes(),
        "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}])  # fmt: skip
    own.wait_for_function(
        "document.querySelector('#supervision-upload-name').innerText.includes('整改报告')"
    )
    own.click("#supervision-answer-submit")
    own.wait_for_function(
        "(document.querySelector('#supervision-status')||{}).innerText === '已报送整改'"
    )
    assert "整改报告.docx" in own.inner_text("#supervision-history")
    assert own.locator("#supervision-answer-form").count() == 0
    assert own.console_errors == []
    own.context.close()

    # The office downloads the attachment and closes the item.
    office.goto(item_url)
    office.wait_for_selector("#supervision-decision-form", timeout=30_000)
    with office.expect_download() as download:
        office.locator("#supervision-history button").first.click()
    assert download.value.suggested_filename == "整改报告.docx"
    office.fill("#supervision-comment", "同意销号")
    office.click("#supervision-close")
    office.wait_for_function(
        "(document.querySelector('#supervision-status')||{}).innerText === '已销号'"
    )
    assert office.console_errors == []
    office.context.close()

    # The next bulletin lists it as closed.
    from pipelines.outputs.bulletin import build

    today = settings.current_date()
    bulletin = build(settings, lagging["programme"], str(today.year), today=today)
    text = "\n".join(p.text for p in Document(str(bulletin.path)).paragraphs)
    cells = "\n".join(
        c.text for t in Document(str(bulletin.path)).tables for r in t.rows for c in r.cells
    )
    assert "督办事项" in text
    assert title in text + cells and "已销号" in text + cells


def test_a_district_reports_a_task_and_overdue_tasks_are_flagged(browser, server):
    own = _as(browser, server, "yinzhou")
    own.goto(server["url"] + "/tasks?programme=mental_rehab")
    own.wait_for_selector("#tasks-row-29", timeout=30_000)
    # Task (2) was due in December 2023: overdue until reported done.
    assert "逾期" in own.inner_text("#tasks-row-2")
    row = own.locator("#tasks-row-2")
    row.locator(".Select-control, .dash-dropdown").first.click()
    own.get_by_role("option", name="已完成").click()
    row.locator("input[type=text]").fill("已填报统计表")
    row.get_by_role("button", name="报送").click()
    own.wait_for_function(
        "(document.querySelector('#tasks-row-2 td:nth-child(8)') || {}).innerText === '已填报统计表'"
    )
    assert "逾期" not in own.inner_text("#tasks-row-2") and "逾期" in own.inner_text("#tasks-row-1")
    assert own.console_errors == []
    own.context.close()


def test_the_office_downloads_every_districts_bulletin_in_one_zip(browser, server):
    import zipfile

    office = _as(browser, server, "admin")
    office.goto(server["url"] + "/supervision?programme=mental_rehab")
    office.wait_for_selector("#district-bulletin-make", timeout=30_000)
    office.wait_for_function(
        "(document.querySelector('#district-bulletin-unit') || {innerText: ''}).innerText.includes('全部区县')"
    )
    with office.expect_download(timeout=120_000) as download:
        office.click("#district-bulletin-make")
    path = download.value.path()
    with zipfile.ZipFile(path) as z:
        assert len(z.namelist()) == 7 and all(n.endswith(".docx") for n in z.namelist())
    assert office.console_errors == []
    office.context.close()

    own = _as(browser, server, "yinzhou")
    own.goto(server["url"] + "/supervision")
    own.wait_for_function(
        "(document.querySelector('#district-bulletin-unit') || {innerText: ''}).innerText.includes('银州区')"
    )
    own.locator("#district-bulletin-unit").click()
    options = own.locator("#district-bulletin").get_by_role("option").all_inner_texts()
    assert options == ["银州区"]
    own.context.close()
