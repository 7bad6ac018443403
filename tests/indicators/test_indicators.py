"""§4 rules on tiny hand-computed data sets: every rule and edge, against a real DuckDB file."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl
import pytest

from pipelines.indicators.compute import compute_values, load_reference
from pipelines.outputs.notify import follow_up_table
from pipelines.settings import DEFAULT_REFERENCE_DIR
from pipelines.warehouse.db import connect_warehouse

YINZHOU, QINGHE, TIELING_COUNTY = "211202", "211204", "211221"


@pytest.fixture
def con(settings):
    con = connect_warehouse(settings)
    load_reference(con, settings)
    yield con
    con.close()


def case(
    con,
    case_id,
    person,
    programme="mental_rehab",
    district=YINZHOU,
    registered="2024-01-10",
    **extra,
):
    row = {
        "case_id": case_id, "programme": programme, "person_key": person, "district_code": district,
        "registration_date": registered, "source_file": "t", "source_row": 1, **extra,
    }  # fmt: skip
    cols = ", ".join(row)
    con.execute(
        f"insert into cases ({cols}) values ({', '.join('?' * len(row))})", list(row.values())
    )


def service(con, service_id, case_id, start, end=None, standardized=True):
    con.execute(
        "insert into services (service_id, case_id, start_date, end_date, standardized, source_file, source_row) "
        "values (?, ?, ?, ?, ?, 't', 1)",
        [service_id, case_id, start, end, standardized],
    )


def values(con, year, as_of, programme="mental_rehab", indicator="service_coverage", lagging=5.0):
    df = compute_values(con, [(year, date.fromisoformat(as_of))], lagging)
    df = df.filter(programme=programme, indicator=indicator).filter(
        pl.col("unit_level") != "township"
    )
    return {r["unit_code"]: r for r in df.iter_rows(named=True)}


def test_mover_counts_in_the_district_of_the_latest_registration(con):
    case(con, "A1", "p1", district=YINZHOU, registered="2024-02-01")
    case(con, "B1", "p1", district=QINGHE, registered="2025-03-01")
    service(con, "s1", "A1", "2025-01-15")  # a service under the old case still counts

    before = values(con, 2025, "2025-02-28")
    assert (before[YINZHOU]["denominator"], before[YINZHOU]["numerator"]) == (1, 1)
    assert before[QINGHE]["denominator"] == 0
    after = values(con, 2025, "2025-06-30")
    assert after[YINZHOU]["denominator"] == 0 and after[YINZHOU]["status"] == "no_data"
    assert (after[QINGHE]["denominator"], after[QINGHE]["numerator"]) == (1, 1)
    assert (after["city"]["denominator"], after["city"]["numerator"]) == (1, 1)


def test_exits_before_the_year_and_services_after_as_of(con):
    case(con, "C1", "p1", exit_date="2024-12-31")  # left before 2025: not active
    case(con, "C2", "p2", exit_date="2025-01-01")  # left during 2025: active
    case(con, "C3", "p3")
    service(con, "s2", "C2", "2024-11-01", "2025-01-05")  # overlaps 2025
    service(con, "s3", "C3", "2025-07-01")  # after the as-of date below
    v = values(con, 2025, "2025-06-30")["city"]
    assert (v["denominator"], v["numerator"]) == (2, 1)
    assert values(con, 2025, "2025-07-01")["city"]["numerator"] == 2


def test_only_standardised_services_count_for_mental_rehab(con):
    case(con, "M1", "p1")
    service(con, "s1", "M1", "2025-03-01", standardized=False)
    case(con, "P1", "p2", programme="precise_rehab", need_assessed=True)
    service(con, "s2", "P1", "2025-03-01", standardized=False)
    assert values(con, 2025, "2025-06-30")["city"]["numerator"] == 0
    assert values(con, 2025, "2025-06-30", "precise_rehab")["city"]["numerator"] == 1


def test_need_filter_for_programmes_that_target_people_with_needs(con):
    case(con, "P1", "p1", programme="precise_rehab", need_assessed=True)
    case(con, "P2", "p2", programme="precise_rehab", need_assessed=False)
    case(con, "M1", "p3", need_assessed=False)  # mental_rehab counts every registered subject
    assert values(con, 2025, "2025-06-30", "precise_rehab")["city"]["denominator"] == 1
    assert values(con, 2025, "2025-06-30")["city"]["denominator"] == 1


def test_zero_denominator_is_no_data_and_every_district_has_a_row(con):
    case(con, "M1", "p1", district=YINZHOU)
    v = values(con, 2025, "2025-06-30")
    assert len(v) == 7 + 1  # seven districts of 铁岭市 and the city
    assert v[QINGHE]["value"] is None and v[QINGHE]["status"] == "no_data"
    assert v[QINGHE]["district_name"] == "清河区" and v["city"]["district_name"] == "铁岭市"


def test_city_is_computed_over_persons_not_a_mean_of_ratios(con):
    case(con, "A1", "p1", district=YINZHOU)
    service(con, "s1", "A1", "2025-02-01")
    for n in range(3):
        case(con, f"B{n}", f"q{n}", district=QINGHE)
    v = values(con, 2025, "2025-06-30")
    assert v[YINZHOU]["value"] == 1.0 and v[QINGHE]["value"] == 0.0
    assert v["city"]["value"] == pytest.approx(0.25)  # the mean of ratios would be 0.5


def test_carried_target_and_no_invented_target(con):
    case(con, "P1", "p1", programme="precise_rehab", need_assessed=True)
    v = values(con, 2025, "2025-06-30", "precise_rehab")["city"]
    assert (v["target"], v["target_year"], v["target_carried"]) == (0.8, 2020, True)
    assert "江南区" in v["target_source"]
    staff = values(con, 2023, "2023-12-31", indicator="staff_professional_share")["city"]
    assert staff["target"] is None and staff["status"] == "no_target"


def test_pro_rata_expected_value_from_last_years_end(con):
    # End of 2024: 1 of 2 served (B = 0.5). 2025 target 0.60; as of 2025-07-02 (day 183 of 365).
    case(con, "M1", "p1", registered="2024-01-10")
    case(con, "M2", "p2", registered="2024-01-10")
    service(con, "s1", "M1", "2024-03-01", "2024-04-01")
    v = values(con, 2025, "2025-07-02")["city"]
    assert v["expected"] == pytest.approx(0.5 + (0.6 - 0.5) * 183 / 365)
    assert v["value"] == 0.0 and v["gap"] == pytest.approx(-60.0)
    assert v["persons_needed"] == 2  # ceil(0.6 × 2) − 0


def _served_share(con, served, total=100):
    con.executemany(
        "insert into cases (case_id, programme, person_key, district_code, registration_date, "
        "source_file, source_row) values (?, 'mental_rehab', ?, ?, '2025-01-02', 't', 1)",
        [(f"M{n}", f"p{n}", YINZHOU) for n in range(total)],
    )
    con.executemany(
        "insert into services (service_id, case_id, start_date, standardized, source_file, "
        "source_row) values (?, ?, '2025-01-03', true, 't', 1)",
        [(f"s{n}", f"M{n}") for n in range(served)],
    )


@pytest.mark.parametrize(
    ("served", "status"),
    [
        (60, "met"),  # value = target 0.60
        (48, "on_track"),  # value = expected
        (43, "lagging"),  # exactly 5 points below expected
        (42, "behind"),  # 6 points below
    ],
)
def test_status_boundaries(con, served, status):
    # Nobody was served in 2024, so B = 0; as of 2025-10-19 the elapsed share is 292/365 = 0.8
    # and the expected value is 0.6 × 0.8 = 0.48.
    _served_share(con, served)
    v = values(con, 2025, "2025-10-19")["city"]
    assert v["expected"] == pytest.approx(0.48)
    assert v["status"] == status


def test_lagging_threshold_is_configurable(con):
    _served_share(con, 44)
    assert values(con, 2025, "2025-10-19", lagging=5)["city"]["status"] == "lagging"
    assert values(con, 2025, "2025-10-19", lagging=2)["city"]["status"] == "behind"


def test_review_timeliness_uses_holidays_and_make_up_days(con):
    # 2024-09-27 (Fri) → 2024-10-08 (Tue): Sep 29 (Sunday, make-up working day), Sep 30 and
    # Oct 8 are working days; Oct 1–7 is the National Day holiday: 3 working days, in time.
    # Counting Monday–Friday it would be 7 days: late.
    case(con, "K1", "c1", programme="child_rehab", registered="2024-09-20",
         application_date="2024-09-27", review_date="2024-10-08")  # fmt: skip
    # 2024-03-01 (Fri) → 2024-03-11 (Mon): 6 working days, late.
    case(con, "K2", "c2", programme="child_rehab", registered="2024-02-20",
         application_date="2024-03-01", review_date="2024-03-11")  # fmt: skip
    v = values(con, 2024, "2024-12-31", "child_rehab", "review_timeliness")["city"]
    assert (v["denominator"], v["numerator"]) == (2, 1)
    assert v["calendar_fallback"] is False


def test_pending_applications_count_only_when_overdue(con):
    case(
        con,
        "K1",
        "c1",
        programme="child_rehab",
        registered="2024-12-01",
        application_date="2024-12-02",
    )
    case(
        con,
        "K2",
        "c2",
        programme="child_rehab",
        registered="2024-12-01",
        application_date="2024-12-30",
    )
    v = values(con, 2024, "2024-12-31", "child_rehab", "review_timeliness")["city"]
    assert (v["denominator"], v["numerator"]) == (1, 0)  # K2 is not yet due


def test_the_review_limit_comes_from_the_reference(con, settings):
    # 2024-03-01 (Fri) → 2024-03-11 (Mon) is 6 working days: late under the shipped 5, in time
    # under an installation's 7; the follow-up list of overdue reviews uses the same limit.
    case(con, "K2", "c2", programme="child_rehab", registered="2024-02-20",
         application_date="2024-03-01", review_date="2024-03-11")  # fmt: skip
    case(
        con,
        "K3",
        "c3",
        programme="child_rehab",
        registered="2024-12-01",
        application_date="2024-12-20",
    )  # pending: 7 working days by 2024-12-31
    assert (
        values(con, 2024, "2024-12-31", "child_rehab", "review_timeliness")["city"]["numerator"]
        == 0
    )
    shipped = (DEFAULT_REFERENCE_DIR / "indicators.csv").read_text(encoding="utf-8")
    settings.reference_override_dir.mkdir(parents=True, exist_ok=True)
    (settings.reference_override_dir / "indicators.csv").write_text(
        shipped.replace(",5\n", ",7\n"), encoding="utf-8"
    )
    load_reference(con, settings)
    v = values(con, 2024, "2024-12-31", "child_rehab", "review_timeliness")["city"]
    assert (v["denominator"], v["numerator"]) == (1, 1)  # K3 (7 days) is not yet overdue
    con.execute("create or replace table mart_meta as select date '2024-12-31' as as_of")
    follow_up_table(con)
    assert con.execute(
        "select count(*) from follow_up where rule = 'review_overdue'"
    ).fetchall() == [(0,)]
    (settings.reference_override_dir / "indicators.csv").write_text(shipped, encoding="utf-8")
    load_reference(con, settings)
    follow_up_table(con)
    overdue = con.execute("select case_id from follow_up where rule = 'review_overdue'").fetchall()
    assert overdue == [("K3",)]


def test_the_as_of_date_is_the_latest_day_something_happened_by_today(con, settings):
    from pipelines.indicators.compute import data_as_of

    case(con, "C1", "p1", registered="2025-06-01")
    # A service planned to end next July did not happen yet: it does not move the as-of date.
    service(con, "s1", "C1", "2025-08-14", end="2026-07-01")
    assert data_as_of(con, date(2025, 10, 8)) == date(2025, 8, 14)
    # A registration dated after today (a typing error that passed as a date) is not counted.
    case(con, "C2", "p2", registered="2025-12-24")
    assert data_as_of(con, date(2025, 10, 8)) == date(2025, 8, 14)
    # A settlement is something that happened.
    con.execute("update services set settled_date = date '2025-09-03'")
    assert data_as_of(con, date(2025, 10, 8)) == date(2025, 9, 3)


def test_years_outside_the_official_calendar_fall_back_to_weekdays(con, settings):
    case(con, "K1", "c1", programme="child_rehab", registered="2027-01-01",
         application_date="2027-01-04", review_date="2027-01-08")  # fmt: skip
    # The marts load the reference after the data: the calendar reaches the year after it.
    load_reference(con, settings)
    v = values(con, 2027, "2027-01-31", "child_rehab", "review_timeliness")["city"]
    assert (v["numerator"], v["calendar_fallback"]) == (1, True)


def test_served_count_counts_children_under_18_at_service_start(con):
    case(con, "K1", "c1", programme="child_rehab", birth_date="2007-05-01")
    case(con, "K2", "c2", programme="child_rehab", birth_date="2010-05-01")
    service(con, "s1", "K1", "2025-06-01")  # 18 already
    service(con, "s2", "K2", "2025-06-01")
    service(con, "s3", "K1", "2025-04-01")  # 17 when this one started
    v = values(con, 2025, "2025-09-30", "child_rehab", "served_count")["city"]
    assert (v["value"], v["unit"], v["denominator"]) == (2.0, "count", None)
    assert v["target"] == 230 and v["persons_needed"] == 228 and v["gap"] == -228


def test_district_capability_names_districts_without_an_institution(con):
    con.execute(
        "insert into institutions (institution_id, district_code, programmes, designated_from, "
        "designated_to, source_file, source_row) values "
        "('I1', ?, ['mental_rehab'], '2023-05-01', null, 't', 1), "
        "('I2', ?, ['mental_rehab'], '2022-01-01', '2023-12-31', 't', 1), "
        "('I3', ?, ['precise_rehab'], '2022-01-01', null, 't', 1)",
        [YINZHOU, QINGHE, TIELING_COUNTY],
    )
    v = values(con, 2024, "2024-12-31", indicator="district_capability")
    assert (v["city"]["denominator"], v["city"]["numerator"]) == (7, 1)
    lacking = sorted(
        r["district_name"] for k, r in v.items() if k != "city" and r["numerator"] == 0
    )
    assert lacking == ["开原市", "昌图县", "清河区", "西丰县", "调兵山市", "铁岭县"]
    assert (
        values(con, 2023, "2023-12-31", indicator="district_capability")["city"]["numerator"] == 2
    )


def test_person_counted_once_per_programme(con):
    case(con, "M1", "p1")
    case(con, "M2", "p1", registered="2024-05-01")  # same person, same district, two cases
    case(con, "P1", "p1", programme="precise_rehab", need_assessed=True)
    assert values(con, 2025, "2025-06-30")["city"]["denominator"] == 1
    assert values(con, 2025, "2025-06-30", "precise_rehab")["city"]["denominator"] == 1


def test_published_snapshot_carries_the_marts(settings, inbox):
    from pipelines.run import run_pipeline
    from pipelines.warehouse.snapshots import connect_published
    from tests.conftest import TODAY, put

    put(inbox, "_base_cases.csv", "services_end_before_start_service.csv")
    run_pipeline(settings, inbox, today=TODAY)
    con = connect_published(settings)
    try:
        as_of = con.execute("select as_of from mart_meta").fetchone()[0]
        row = con.execute(
            "select denominator, numerator from indicator_values where programme = 'mental_rehab' "
            "and indicator = 'service_coverage' and year = 2024 and unit_code = 'city'"
        ).fetchone()
    finally:
        con.close()
    # The latest day something happened (a service start); an end date is not such a day.
    assert as_of == date(2024, 4, 1)
    assert row == (4, 3)


def test_invalid_targets_file_is_reported_with_row_numbers(settings):
    from pipelines.indicators.reference import Reference, ReferenceError

    ref_dir = settings.reference_override_dir
    ref_dir.mkdir(parents=True)
    (ref_dir / "targets.csv").write_text(
        "programme,indicator,year,scope,value,kind,source,note\n"
        "mental_rehab,service_coverage,2025,*,0.6,ratio,x,\n"
        "mental_rehab,service_coverage,2025,999999,0.6,ratio,x,\n"
        "mental_rehab,service_coverage,2026,*,1.6,ratio,x,\n"
        "nope,service_coverage,2026,*,0.5,ratio,x,\n",
        encoding="utf-8",
    )
    with pytest.raises(ReferenceError) as err:
        Reference(settings).targets(frozenset({YINZHOU}))
    text = str(err.value)
    assert "row 3" in text and "row 4" in text and "row 5" in text and "row 2" not in text


def test_snapshot_is_read_only_but_exports_compute_other_periods(settings, inbox):
    """compute_values runs on a read-only snapshot (temp tables only)."""
    from pipelines.run import run_pipeline
    from pipelines.warehouse.snapshots import published_path
    from tests.conftest import TODAY, put

    put(inbox, "_base_cases.csv")
    run_pipeline(settings, inbox, today=TODAY)
    con = duckdb.connect(str(published_path(settings)), read_only=True)
    try:
        df = compute_values(con, [(2024, date(2024, 3, 31))], 5.0)
    finally:
        con.close()
    assert (
        df.filter(unit_code="city", programme="mental_rehab", indicator="service_coverage").height
        == 1
    )
