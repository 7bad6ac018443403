"""§5 notification rules and their lifecycle, on hand-made data in a real DuckDB file."""

from __future__ import annotations

import pytest

from pipelines.indicators import marts
from pipelines.outputs import notify
from pipelines.warehouse.db import connect_warehouse

YINZHOU = "211202"


@pytest.fixture
def con(settings):
    con = connect_warehouse(settings)
    yield con
    con.close()


def _cases(con, n, district=YINZHOU, registered="2025-01-02", **extra):
    cols = ["case_id", "programme", "person_key", "district_code", "registration_date", *extra]
    for i in range(n):
        values = [
            f"{district}-{i}",
            "mental_rehab",
            f"{district}-p{i}",
            district,
            registered,
            *extra.values(),
        ]
        con.execute(
            f"insert into cases ({', '.join(cols)}, source_file, source_row) values ({', '.join('?' * len(cols))}, 't', 1)",
            values,
        )


def _serve(con, district, indices, start="2025-01-03"):
    for i in indices:
        con.execute(
            "insert into services (service_id, case_id, start_date, standardized, source_file, source_row) "
            "values (?, ?, ?, true, 't', 1)",
            [f"s-{district}-{i}-{start}", f"{district}-{i}", start],
        )


def _run(con, settings, run_id):
    marts.refresh(con, settings)
    return notify.update(con, settings, run_id)


def _open(con):
    return {
        (r[0], r[1]): r[2]
        for r in con.execute(
            "select rule, district_code, message_zh from notifications where status = 'open'"
        ).fetchall()
    }


def test_lagging_district_is_raised_once_and_resolved_when_it_catches_up(con, settings):
    _cases(con, 100)
    _serve(con, YINZHOU, range(40))
    # a registration on "today" (2025-10-08) sets the as-of date → expected 46.2%
    _cases(con, 1, district="211204", registered="2025-10-08")
    first = _run(con, settings, 1)
    assert ("progress_behind", YINZHOU) in _open(con)
    assert "银州区精康融合行动服务覆盖率为40.0%" in _open(con)[("progress_behind", YINZHOU)]
    assert first["raised"] >= 1
    # The English text names the programme and indicator too, never their codes.
    english = con.execute(
        "select message_en from notifications where rule = 'progress_behind' and district_code = ?",
        [YINZHOU],
    ).fetchall()[0][0]
    assert english.startswith(
        "银州区 Community rehabilitation for people with mental disorders: Service coverage is 40.0%"
    )
    codes = con.execute(
        "select count(*) from notifications where message_en similar to '.*(mental_rehab|"
        "child_rehab|precise_rehab|poverty_rehab|disabled_care|service_coverage|served_count).*'"
    ).fetchall()
    assert codes == [(0,)]

    again = _run(con, settings, 2)
    assert again["raised"] == 0 and again["kept"] == first["raised"]  # not raised twice

    _serve(con, YINZHOU, range(40, 65))  # 65% now: the target is met
    third = _run(con, settings, 3)
    assert ("progress_behind", YINZHOU) not in _open(con)
    assert ("target_met", YINZHOU) in _open(con)
    resolved = con.execute(
        "select resolved_run from notifications where rule = 'progress_behind' and district_code = ?",
        [YINZHOU],
    ).fetchall()
    assert resolved == [(3,)] and third["resolved"] >= 1


def test_overdue_reviews_and_waiting_referrals(con, settings):
    con.execute(
        "insert into cases (case_id, programme, person_key, district_code, registration_date, application_date, "
        "referral_date, source_file, source_row) values "
        "('K1', 'child_rehab', 'k1', ?, '2025-05-01', '2025-05-06', null, 't', 1), "
        "('K2', 'child_rehab', 'k2', ?, '2025-06-20', '2025-06-27', null, 't', 1), "
        "('M1', 'mental_rehab', 'm1', ?, '2025-01-05', null, '2025-02-01', 't', 1), "
        "('M2', 'mental_rehab', 'm2', ?, '2025-06-01', null, '2025-06-01', 't', 1)",
        [YINZHOU] * 4,
    )
    _serve(con, YINZHOU, [])  # nothing served
    con.execute(
        "insert into services (service_id, case_id, start_date, standardized, source_file, source_row) "
        "values ('x', 'K1', '2025-07-01', true, 't', 1)"
    )  # sets as-of to 2025-07-01
    _run(con, settings, 1)
    rows = con.execute(
        "select rule, count, message_zh from notifications where district_code = ? and rule in "
        "('review_overdue', 'referral_waiting')",
        [YINZHOU],
    ).fetchall()
    found = {r[0]: r[1] for r in rows}
    # K1 waited since May 6 (overdue); K2 since June 27 (3 working days by July 1: not yet).
    assert found["review_overdue"] == 1
    # M1 referred Feb 1, nothing since: waiting over 3 months; M2 only one month.
    assert found["referral_waiting"] == 1


def test_rules_without_data_stay_silent(con, settings):
    _cases(con, 3)
    _run(con, settings, 1)
    rules = {r[0] for r in con.execute("select rule from notifications").fetchall()}
    assert (
        "review_overdue" not in rules
        and "settlement_missing" not in rules
        and "file_rejects" not in rules
    )


def _child_services(con, settled: str | None):
    """A child case served in Q1 2025 at a named institution; `settled` its settlement date."""
    con.execute("insert into institutions (institution_id, name, district_code, programmes, "
                "source_file, source_row) values ('JG1', '银州区康复中心', ?, ['child_rehab'], 't', 1)",
                [YINZHOU])  # fmt: skip
    con.execute("insert into cases (case_id, programme, person_key, district_code, "
                "registration_date, source_file, source_row) values ('K1', 'child_rehab', 'pk', ?, "
                "'2025-01-02', 't', 1)", [YINZHOU])  # fmt: skip
    con.execute("insert into services (service_id, case_id, institution_id, start_date, end_date, "
                "settled_date, source_file, source_row) values ('S1', 'K1', 'JG1', '2025-01-10', "
                "'2025-02-10', ?, 't', 1), ('S2', 'K1', 'JG1', '2025-04-10', '2025-05-10', null, "
                "'t', 1)", [settled])  # fmt: skip
    _cases(con, 1, registered="2025-06-01")  # data up to June


def test_no_settlement_alarm_when_no_file_reports_settlements(con, settings):
    # No file has a settlement date: "no settlement" is not news, so nothing is raised.
    _child_services(con, None)
    _run(con, settings, 1)
    rules = {r[0] for r in con.execute("select rule from notifications").fetchall()}
    assert "settlement_missing" not in rules


def test_a_missing_settlement_names_the_institution_and_the_quarter_of_the_year(con, settings):
    # Q1 was settled; Q2's service was not, and Q2 ended before the data's as-of date.
    _child_services(con, "2025-03-20")
    _cases(con, 1, registered="2025-07-15")
    _run(con, settings, 1)
    messages = [r[0] for r in con.execute(
        "select message_zh from notifications where rule = 'settlement_missing'").fetchall()]  # fmt: skip
    assert messages == ["银州区定点机构银州区康复中心在2025年第二季度有1条服务记录但当季无结算"]


def test_a_file_with_many_rejects_is_noticed(settings, inbox):
    from pipelines.run import run_pipeline
    from tests.conftest import TODAY, put

    put(inbox, "cases_category_invalid.csv")  # 1 of 4 rows rejected: 25% > 5%
    result = run_pipeline(settings, inbox, today=TODAY)
    con = connect_warehouse(settings)
    try:
        rows = con.execute(
            "select rule, subject, message_zh from notifications where rule = 'file_rejects'"
        ).fetchall()
    finally:
        con.close()
    assert rows and rows[0][1] == "cases_category_invalid.csv" and "25.0%" in rows[0][2]
    assert result.status == "completed"
