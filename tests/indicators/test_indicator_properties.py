"""For random small data sets, district numerators and denominators sum to the city's."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from pipelines.indicators.compute import compute_values, load_reference
from pipelines.settings import load_settings
from pipelines.warehouse.db import connect_warehouse

DISTRICTS = ["211202", "211204", "211221", "211223", "211224", "211281", "211282"]
PROGRAMMES = ["mental_rehab", "precise_rehab", "poverty_rehab", "child_rehab", "disabled_care"]
DAY0 = date(2023, 1, 1)

case_st = st.tuples(
    st.integers(0, 14),  # person
    st.sampled_from(PROGRAMMES),
    st.sampled_from(DISTRICTS),
    st.integers(0, 1000),  # registration day
    st.one_of(st.none(), st.integers(0, 1000)),  # exit day
    st.booleans(),  # need
    st.booleans(),  # insured
)
service_st = st.tuples(
    st.integers(0, 39),
    st.integers(0, 1000),
    st.one_of(st.none(), st.integers(0, 200)),
    st.booleans(),
)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    s = load_settings(tmp_path_factory.mktemp("prop") / "data", jurisdiction="211200")
    con = connect_warehouse(s)
    load_reference(con, s)
    yield con
    con.close()


@hsettings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cases=st.lists(case_st, min_size=1, max_size=40), services=st.lists(service_st, max_size=40),
       as_of_day=st.integers(200, 1000))  # fmt: skip
def test_districts_sum_to_the_city(con, cases, services, as_of_day):
    con.execute("delete from cases")
    con.execute("delete from services")
    rows = [
        (f"C{i}", prog, f"p{person}", dist, DAY0 + timedelta(reg),
         None if ex is None else DAY0 + timedelta(max(ex, reg)), need, insured)
        for i, (person, prog, dist, reg, ex, need, insured) in enumerate(cases)
    ]  # fmt: skip
    con.executemany(
        "insert into cases (case_id, programme, person_key, district_code, registration_date, exit_date, "
        "need_assessed, medical_insurance, source_file, source_row) values (?, ?, ?, ?, ?, ?, ?, ?, 't', 1)",
        rows,
    )
    svc = [
        (f"S{i}", f"C{c % len(cases)}", DAY0 + timedelta(start),
         None if length is None else DAY0 + timedelta(start + length), std)
        for i, (c, start, length, std) in enumerate(services)
    ]  # fmt: skip
    if svc:
        con.executemany(
            "insert into services (service_id, case_id, start_date, end_date, standardized, source_file, "
            "source_row) values (?, ?, ?, ?, ?, 't', 1)",
            svc,
        )
    as_of = DAY0 + timedelta(as_of_day)
    df = compute_values(con, [(as_of.year, as_of)], 5.0)
    districts = (
        df.filter(pl.col("unit_level") == "district")
        .group_by("programme", "indicator")
        .agg(pl.col("numerator").sum().alias("n"), pl.col("denominator").sum().alias("d"))
    )
    city = df.filter(pl.col("unit_level") == "city").select(
        "programme", "indicator", pl.col("numerator").alias("cn"), pl.col("denominator").alias("cd")
    )
    joined = city.join(districts, on=["programme", "indicator"], how="left")
    for r in joined.iter_rows(named=True):
        assert r["n"] == r["cn"], r
        assert (r["d"] or 0) == (r["cd"] or 0), r
    # Persons are counted once: the coverage denominator never exceeds distinct persons.
    cov = df.filter(unit_level="city", indicator="service_coverage")
    assert all(d <= len({c[0] for c in cases}) for d in cov.get_column("denominator").to_list())
