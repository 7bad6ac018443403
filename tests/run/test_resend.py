"""An older ledger sent again after its correction: the rows it takes back from the newer file
are counted and named in the run report (never silent), and an administrator can re-apply the
correction that a plain re-send skips as already loaded."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.cli import main
from pipelines.ingest.reports import run_report
from pipelines.ops import accounts
from pipelines.run import run_pipeline
from pipelines.warehouse import snapshots
from schemas.idnumbers import check_digit
from tests.conftest import TODAY

HEADER = "个案编号,项目名称,身份证号,残疾人证号,姓名,所属区县,乡镇街道,登记日期,是否有康复需求,残疾类别,残疾等级,性别,贫困类型,退出日期"
LEDGER = "个案台账_2025-05.csv"
CORRECTION = "个案台账_2025-05_更正.csv"


def _id(n: int) -> str:
    body = f"2112021980{n // 28 + 1:02d}{n % 28 + 1:02d}{n:03d}"
    return body + check_digit(body)


def ledger(numbers, township=lambda _n: "铜钟街道") -> str:
    """A district's case ledger (title line, header, one row per case number)."""
    rows = [
        f"YZ-{n:04d},精康融合,{_id(n)},,张某{n},银州区,{township(n)},2024-03-05,是,精神,二级,,无,"
        for n in numbers
    ]
    return "\n".join(["铁岭市个案台账", HEADER, *rows, ""])


def townships(settings, published: bool = False) -> dict[str, str]:
    con = (
        snapshots.connect_published(settings)
        if published
        else duckdb.connect(str(settings.warehouse_path), read_only=True)
    )
    try:
        return dict(con.execute("select case_id, township from cases").fetchall())
    finally:
        con.close()


def corrected(n: int) -> str:
    return "凡河镇" if n <= 25 else "铜钟街道"


@pytest.fixture
def resent(settings, tmp_path):
    """A (40 cases) loaded, then its correction B (25 townships fixed), then A re-sent as
    exported again with one more case and without the first five: 20 corrections reverted."""
    sent = tmp_path / "sent"
    sent.mkdir()
    a, b = sent / LEDGER, sent / CORRECTION
    a.write_text(ledger(range(1, 41)), encoding="utf-8")
    b.write_text(ledger(range(1, 26), corrected), encoding="utf-8")
    runs = []
    for files in ([a], [b]):
        inbox = tmp_path / f"inbox{len(runs)}"
        inbox.mkdir()
        for f in files:
            (inbox / f.name).write_bytes(f.read_bytes())
        runs.append(run_pipeline(settings, inbox, today=TODAY))
    inbox = tmp_path / "inbox-resend"
    inbox.mkdir()
    (inbox / LEDGER).write_text(ledger(range(6, 42)), encoding="utf-8")
    runs.append(run_pipeline(settings, inbox, today=TODAY))
    return runs, b


def test_an_older_ledger_resent_says_which_newer_rows_it_replaced(settings, resent):
    runs, _ = resent
    third = runs[-1]
    # The spec's order still holds (the later run replaces the rows) ...
    towns = townships(settings)
    assert [towns[f"YZ-{n:04d}"] for n in (1, 5, 6, 25, 26)] == [
        "凡河镇", "凡河镇", "铜钟街道", "铜钟街道", "铜钟街道",
    ]  # fmt: skip
    # ... but never silently: the file's result names the newer file and the rows.
    (result,) = third.files
    assert [(r.newer_file, r.rows, r.reason) for r in result.replaced] == [
        (CORRECTION, 20, "loaded_later")
    ]
    report = run_report(settings, third.run_id)
    assert report["run"]["rows_replaced_newer"] == 20
    (line,) = report["replaced"]
    assert line["file"] == LEDGER and line["newer_file"] == CORRECTION and line["rows"] == 20
    assert CORRECTION in line["message_zh"] and "20" in line["message_zh"]
    assert "newer file" in line["message_en"] and CORRECTION in line["message_en"]
    # The correction itself replaced rows of an older file: that is the normal case, no warning.
    assert run_report(settings, runs[1].run_id)["replaced"] == []


def test_a_new_name_that_sorts_before_the_newer_file_is_warned_too(settings, resent, tmp_path):
    _runs, b = resent
    inbox = tmp_path / "inbox-renamed"
    inbox.mkdir()
    # B re-applied first so that its rows are the newest again, then A under a copy's name.
    assert main(["--data-dir", str(settings.data_dir), "pipeline", "reapply", str(b)]) == 0
    (inbox / "个案台账_2025-05(1).csv").write_text(ledger(range(1, 43)), encoding="utf-8")
    result = run_pipeline(settings, inbox, today=TODAY)
    (f,) = result.files
    assert [(r.newer_file, r.rows, r.reason) for r in f.replaced] == [
        (CORRECTION, 25, "name_order")
    ]


def test_the_cli_summary_says_it_loudly(settings, tmp_path, capsys):
    """Ledger and correction sent together (the correction applies last, by name), then the
    ledger re-exported with one more case."""
    first, again = tmp_path / "first", tmp_path / "again"
    first.mkdir()
    again.mkdir()
    (first / LEDGER).write_text(ledger(range(1, 11)), encoding="utf-8")
    (first / CORRECTION).write_text(ledger(range(1, 11), lambda _n: "凡河镇"), encoding="utf-8")
    (again / LEDGER).write_text(ledger(range(1, 12)), encoding="utf-8")
    cli = ["--data-dir", str(settings.data_dir), "pipeline", "run", "--inbox"]
    assert main([*cli, str(first)]) == 0
    assert "!!" not in capsys.readouterr().out  # the correction replacing the ledger is normal
    assert main([*cli, str(again)]) == 0
    out = capsys.readouterr().out
    assert f"本文件覆盖了由较新文件“{CORRECTION}”写入的10行" in out
    assert f"this file replaced 10 rows last written by the newer file '{CORRECTION}'" in out
    assert "!! 注意 / warning: 10 行" in out


def test_the_skipped_correction_can_be_re_applied(settings, resent, tmp_path):
    _runs, b = resent
    # Sent again as it is, the correction is skipped as already loaded: still reverted.
    inbox = tmp_path / "inbox-again"
    inbox.mkdir()
    (inbox / CORRECTION).write_bytes(b.read_bytes())
    again = run_pipeline(settings, inbox, today=TODAY)
    assert [f.status for f in again.files] == ["skipped"]
    assert townships(settings)["YZ-0010"] == "铜钟街道"
    assert "pipeline reapply" in again.files[0].message_en

    assert main(["--data-dir", str(settings.data_dir), "pipeline", "reapply", str(b)]) == 0

    want = {f"YZ-{n:04d}": corrected(n) for n in range(1, 42)}
    assert townships(settings) == want
    assert townships(settings, published=True) == want  # what the app and exports read
    con = snapshots.connect_published(settings)
    try:
        # The township breakdown of the published marts counts the corrected townships again.
        towns = dict(
            con.execute(
                "select member, denominator from indicator_breakdowns where dimension = 'township' "
                "and unit_code = '211202' and indicator = 'service_coverage'"
            ).fetchall()
        )
    finally:
        con.close()
    assert towns == {"凡河镇": 25, "铜钟街道": 16}
    # Recorded as re-applied in the run history, and audited.
    latest = max(r for r in range(1, 10) if run_report(settings, r))
    report = run_report(settings, latest)
    assert report["run"]["trigger"] == "reapply" and report["run"]["files_reapplied"] == 1
    (f,) = report["files"]
    assert f["status"] == "loaded" and f["reapplied"] and f["file"] == CORRECTION
    assert [(r["newer_file"], r["rows"]) for r in report["replaced"]] == [(LEDGER, 20)]
    assert report["replaced"][0]["reason"] == "reapplied"
    audited = accounts.search_audit(settings, user="cli", action="reapply")
    assert [a["target"] for a in audited] == [CORRECTION]
    # The file given to the command stays where it was (it is the administrator's copy).
    assert b.exists()


def test_reapply_refuses_a_missing_file(settings, tmp_path, capsys):
    code = main(
        ["--data-dir", str(settings.data_dir), "pipeline", "reapply", str(tmp_path / "无.csv")]
    )
    assert code == 2
    assert "找不到文件" in capsys.readouterr().err


def _texts(component) -> str:
    """All text in a component tree."""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(_texts(c) for c in component)
    children = getattr(component, "children", None)
    return _texts(children) if children is not None else ""


def test_an_upload_ticked_re_apply_is_loaded_again_and_the_data_page_says_so(settings, resent):
    import base64

    from dashboards.auth import Scope
    from dashboards.views.data import history_view, report_view
    from pipelines.ingest.uploads import save_upload

    runs, b = resent
    admin = Scope(settings, "boss", "admin", None)
    # The data page shows the re-send's warning, in Chinese and in English.
    zh = _texts(report_view(admin, runs[-1].run_id, "zh"))
    assert "注意：有文件覆盖了较新文件写入的数据" in zh
    assert f"本文件覆盖了由较新文件“{CORRECTION}”写入的20行" in zh
    en = _texts(report_view(admin, runs[-1].run_id, "en"))
    assert f"this file replaced 20 rows last written by the newer file '{CORRECTION}'" in en

    url = "data:;base64," + base64.b64encode(b.read_bytes()).decode()
    save_upload(settings, CORRECTION, url, "boss", reapply=True)
    result = run_pipeline(settings, today=TODAY)  # the data directory's inbox, as the page runs it
    (f,) = result.files
    assert f.status == "loaded" and f.reapplied
    assert townships(settings, published=True)["YZ-0010"] == "凡河镇"
    # The request is used up with the upload, which left the inbox like any processed upload.
    assert (settings.inbox_dir / ".reapply").read_text(encoding="utf-8") == ""
    assert not (settings.inbox_dir / CORRECTION).exists()
    assert [
        a["target"] for a in accounts.search_audit(settings, user="boss", action="reapply")
    ] == [CORRECTION]
    report = _texts(report_view(admin, result.run_id, "zh"))
    assert "已重新导入" in report and f"重新导入的文件替换了由“{LEDGER}”写入的20行" in report
    history = _texts(history_view(admin, "zh"))
    assert "重新导入 1 个文件" in history and "被覆盖的较新数据 20 行" in history
