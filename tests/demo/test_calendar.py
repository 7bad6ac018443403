"""The demo and the pipeline do not depend on the calendar: on any day the demo ends at the last
month end before it, and exactly its injected defects are rejected — a "future" date is in the
future of that day, never a date that has since come true."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from pipelines.demo import Window, write_demo
from pipelines.run import run_pipeline
from pipelines.settings import load_settings


@pytest.mark.parametrize(
    ("today", "end"),
    [
        (date(2027, 1, 1), date(2026, 12, 31)),
        (date(2027, 3, 15), date(2027, 2, 28)),
        (date(2028, 3, 1), date(2028, 2, 29)),
        (date(2027, 12, 31), date(2027, 11, 30)),
    ],
)
def test_the_window_ends_at_the_last_month_end_before_today(today, end):
    window = Window(today)
    assert window.end == end
    assert window.start == date(end.year - 2, 1, 1)
    assert window.years == (end.year - 2, end.year - 1, end.year)


def test_a_demo_written_in_2027_loads_with_only_its_injected_defects_rejected(tmp_path):
    today = date(2027, 3, 15)
    demo = write_demo(tmp_path / "inbox", seed=7, today=today)
    assert all("_2027-02" in p.name for p in demo.files if p.name.startswith(("02_", "03_")))
    settings = load_settings(tmp_path / "data", jurisdiction="211200", today=today.isoformat())
    run_pipeline(settings, tmp_path / "inbox")
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        rejected = dict(
            con.execute(
                'select reason_code, count(distinct (file, sheet, "row")) from quarantine '
                "where severity = 'rejected' group by all"
            ).fetchall()
        )
        latest = con.execute("select max(registration_date) from cases").fetchone()[0]
        as_of = con.execute("select as_of from mart_meta").fetchone()[0]
    finally:
        con.close()
    # The future date is after the day the files were sent, so it is rejected as such ...
    assert rejected["date_out_of_range"] == demo.bad_rows["date_out_of_range"]
    # ... and no valid record is: everything the demo wrote as valid lies before that day.
    assert latest <= date(2027, 2, 28)
    assert as_of == date(2027, 2, 28)
