"""督办 items through the data-access layer, on a real published demo snapshot and the real
app store: opened from a notification with frozen figures, answered by the district with a
checked attachment, returned and closed by the office, overdue after the deadline; another
district can neither list, open nor answer them (also through the app's callbacks)."""

from __future__ import annotations

import io
import shutil
import stat
from dataclasses import replace
from datetime import timedelta

import duckdb
import pytest
from docx import Document

from app import create_app
from dashboards import queries
from dashboards.auth import Denied, Scope
from pipelines.cli import main
from pipelines.ops import accounts, supervision
from pipelines.ops.supervision import SupervisionError
from pipelines.settings import load_settings
from pipelines.warehouse import snapshots
from tests.conftest import login
from tests.dashboards.test_access import call

OWN, OTHER = "211202", "211223"


@pytest.fixture(scope="module")
def settings(tmp_path_factory, demo_inbox):
    data = tmp_path_factory.mktemp("supervision") / "data"
    shutil.copytree(demo_inbox, data / "inbox")
    assert main(["--data-dir", str(data), "pipeline", "run"]) == 0
    return load_settings(data, jurisdiction="211200")


def _docx() -> bytes:
    doc = Document()
    doc.add_paragraph("整改情况报告")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _data_url(content: bytes) -> str:
    import base64

    return "data:application/octet-stream;base64," + base64.b64encode(content).decode()


def _lagging_notification(office: Scope, district: str) -> dict:
    rows = queries.notifications(office, "open", district=district)
    rows = rows.filter(rows["rule"].is_in(["progress_lagging", "progress_behind"]))
    assert rows.height, f"the demo has no lagging notification for {district}"
    return rows.row(0, named=True)


def test_an_item_goes_from_a_notification_to_closed_with_frozen_figures(settings):
    office = Scope(settings, "office1", "office", None)
    own = Scope(settings, "yinzhou", "district", OWN)
    note = _lagging_notification(office, OWN)
    draft = queries.supervision_draft(office, notification=note["key"])
    assert (draft.district, draft.programme, draft.indicator) == (
        OWN, note["programme"], note["subject"])  # fmt: skip
    deadline = settings.current_date() + timedelta(days=10)
    item_id = queries.open_supervision(office, draft, "三十日内完成整改", deadline, "银州区残联")

    # The frozen figures are the snapshot's, read straight from the published file.
    con = duckdb.connect(str(snapshots.published_path(settings)), read_only=True)
    value, as_of = con.execute(
        "select value, as_of from indicator_values where unit_level = 'district' and "
        "unit_code = ? and programme = ? and indicator = ? order by year desc, as_of desc limit 1",
        [OWN, draft.programme, draft.indicator],
    ).fetchone()
    con.close()
    item, history = queries.supervision_item(own, item_id)
    assert item["value"] == pytest.approx(value) and item["as_of"] == as_of.isoformat()
    assert item["value_now"] == pytest.approx(value)
    assert item["status"] == "open" and [e["kind"] for e in history] == ["open"]
    assert item["origin"] == f"notification:{note['key']}"

    # Attachments: type by content, size; refused ones change nothing.
    with pytest.raises(SupervisionError, match="内容与类型"):
        queries.answer_supervision(own, item_id, "已整改", "报告.xlsx", _data_url(_docx()))
    with pytest.raises(SupervisionError, match="内容与类型"):
        queries.answer_supervision(own, item_id, "已整改", "报告.pdf", _data_url(b"not a pdf"))
    with pytest.raises(SupervisionError, match=r"\.docx、\.pdf"):
        queries.answer_supervision(own, item_id, "已整改", "报告.exe", _data_url(b"MZ"))
    small = replace(own, settings=replace(settings, attachment_mb=0))
    with pytest.raises(SupervisionError, match="超过"):
        queries.answer_supervision(small, item_id, "已整改", "报告.docx", _data_url(_docx()))
    assert queries.supervision_item(own, item_id)[0]["state"] == "open"

    queries.answer_supervision(own, item_id, "已开展入户走访", "整改报告.docx", _data_url(_docx()))
    item, history = queries.supervision_item(office, item_id)
    assert item["status"] == "answered"
    stored = list((settings.data_dir / "supervision").iterdir())
    assert len(stored) == 1 and stat.S_IMODE(stored[0].stat().st_mode) == 0o600
    answer = history[-1]
    assert answer["attachment_name"] == "整改报告.docx"
    name, content = queries.supervision_attachment(office, answer["id"])
    assert name == "整改报告.docx" and content == stored[0].read_bytes()

    # The district cannot close its own item; the office returns, the district answers again.
    with pytest.raises(Denied):
        queries.decide_supervision(own, item_id, True, None)
    queries.decide_supervision(office, item_id, False, "请补充服务人数")
    assert queries.supervision_item(own, item_id)[0]["status"] == "returned"
    with pytest.raises(SupervisionError):
        queries.decide_supervision(office, item_id, True, None)  # nothing to close: not answered
    queries.answer_supervision(own, item_id, "已补充")
    queries.decide_supervision(office, item_id, True, "同意销号")
    item, history = queries.supervision_item(own, item_id)
    assert item["status"] == "closed"
    assert [e["kind"] for e in history] == ["open", "answer", "return", "answer", "close"]
    actions = [a["action"] for a in accounts.search_audit(settings, text=item["title"])]
    assert sorted(actions) == sorted(["supervision_open", "supervision_answer", "supervision_return",
                                      "supervision_answer", "supervision_close"])  # fmt: skip


def test_another_district_can_neither_see_nor_answer(settings):
    office = Scope(settings, "office1", "office", None)
    other = Scope(settings, "xifeng", "district", OTHER)
    draft = queries.supervision_draft(office, district=OWN, programme="mental_rehab")
    item_id = queries.open_supervision(
        office, draft, "整改", settings.current_date() + timedelta(days=5), "残联"
    )
    assert item_id not in {r["id"] for r in queries.supervision_items(other)}
    assert all(r["district"] == OTHER for r in queries.supervision_items(other))
    with pytest.raises(Denied):
        queries.supervision_item(other, item_id)
    with pytest.raises(Denied):
        queries.answer_supervision(other, item_id, "不是我的")
    with pytest.raises(Denied):  # a leader reads but does not open items
        queries.supervision_draft(Scope(settings, "chief", "leader", None), district=OWN,
                                  programme="mental_rehab")  # fmt: skip
    assert supervision.item(settings, item_id)["state"] == "open"

    # The same through the app: the answer callback of another district's item is refused.
    app = create_app(settings)
    client = login(app.server.test_client(), settings, "xifeng", "district", OTHER)
    response = call(
        client, [("supervision-answer-result", "children"), ("supervision-answered", "data")],
        [("supervision-answer-submit", "n_clicks", 1)],
        [("supervision-item", "data", item_id), ("supervision-report", "value", "不是我的"),
         ("supervision-upload", "filename", None), ("supervision-upload", "contents", None)],
    )  # fmt: skip
    assert response.status_code == 403
    assert supervision.item(settings, item_id)["state"] == "open"
    assert accounts.search_audit(settings, user="xifeng", action="request_denied")


def test_an_unanswered_item_past_its_deadline_is_overdue(settings):
    office = Scope(settings, "office1", "office", None)
    draft = queries.supervision_draft(office, district=OWN, programme="mental_rehab")
    deadline = settings.current_date() + timedelta(days=3)
    item_id = queries.open_supervision(office, draft, "整改", deadline, "残联")
    later = replace(settings, today=(deadline + timedelta(days=1)).isoformat())
    assert supervision.item(settings, item_id)["status"] == "open"
    assert supervision.item(later, item_id)["status"] == "overdue"
    with pytest.raises(SupervisionError, match="不能早于"):
        queries.open_supervision(
            office, draft, "整改", settings.current_date() - timedelta(days=1), "残联"
        )


def test_the_feed_raises_overdue_and_recovered_items(settings, monkeypatch):
    office = Scope(settings, "office1", "office", None)
    con = duckdb.connect(str(snapshots.published_path(settings)), read_only=True)
    district, programme, indicator = con.execute(
        "select unit_code, programme, indicator from indicator_values where unit_level = "
        "'district' and status in ('on_track', 'met') order by year desc, unit_code limit 1"
    ).fetchone()
    con.close()
    draft = queries.supervision_draft(office, district=district, programme=programme,
                                      indicator=indicator)  # fmt: skip
    recovered = queries.open_supervision(
        office, draft, "巩固", settings.current_date() + timedelta(days=60), "残联"
    )
    lagging = queries.supervision_draft(
        office, notification=_lagging_notification(office, OWN)["key"]
    )
    late = queries.open_supervision(office, lagging, "整改", settings.current_date(), "残联")

    # A later day: the nightly run (no new data) republishes because an item became overdue.
    monkeypatch.setenv(
        "REHAB_MONITOR_TODAY", (settings.current_date() + timedelta(days=2)).isoformat()
    )
    assert main(["--data-dir", str(settings.data_dir), "pipeline", "run"]) == 0
    feed = queries.notifications(office, "open")
    overdue = feed.filter(rule="supervision_overdue").to_dicts()
    assert f"/supervision/item/{late}" in {r["link"] for r in overdue}
    assert all("办结时限" in r["message_zh"] and "deadline" in r["message_en"] for r in overdue)
    back = feed.filter(rule="supervision_recovered").to_dicts()
    assert f"/supervision/item/{recovered}" in {r["link"] for r in back}
    assert f"/supervision/item/{late}" not in {r["link"] for r in back}


def test_a_district_user_makes_only_their_own_district_bulletin(settings):
    own = Scope(settings, "yinzhou", "district", OWN)
    path = queries.district_bulletin(own, OWN, "mental_rehab", "2025")
    assert path.name.startswith(OWN) and stat.S_IMODE(path.stat().st_mode) == 0o600
    for district in (OTHER, "all"):
        with pytest.raises(Denied):
            queries.district_bulletin(own, district, "mental_rehab", "2025")
    assert accounts.search_audit(settings, user="yinzhou", action="bulletin_generate")
