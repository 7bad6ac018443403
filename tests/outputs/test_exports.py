"""Exports of the demo data reproduce the marts for every programme indicator and format."""

from __future__ import annotations

import shutil

import fastexcel
import polars as pl
import pytest

from pipelines.cli import main
from pipelines.outputs.export import DISTRICT_COLUMNS
from pipelines.settings import load_settings
from pipelines.warehouse.db import frame, scalar
from pipelines.warehouse.snapshots import connect_published


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory, demo_inbox):
    data = tmp_path_factory.mktemp("exports") / "data"
    shutil.copytree(demo_inbox, data / "inbox")
    assert main(["--data-dir", str(data), "pipeline", "run"]) == 0
    return data


def _marts(data) -> pl.DataFrame:
    con = connect_published(load_settings(data))
    try:
        return con.sql("select * from indicator_values where unit_level <> 'township'").pl()
    finally:
        con.close()


def test_every_indicator_export_equals_the_marts(demo_data, tmp_path):
    marts = _marts(demo_data)
    pairs = (
        marts.select("programme", "indicator", "year")
        .unique()
        .sort("programme", "indicator", "year")
    )
    assert pairs.height >= 14 * 3
    for programme, indicator, year in pairs.iter_rows():
        out = tmp_path / f"{programme}_{indicator}_{year}.csv"
        args = ["--data-dir", str(demo_data), "export", indicator, "--programme", programme,
                "--year", str(year), "--format", "csv", "--out", str(out)]  # fmt: skip
        assert main(args) == 0
        exported = pl.read_csv(out, schema_overrides={"district_code": pl.String, "as_of": pl.Date})
        assert exported.columns == DISTRICT_COLUMNS
        assert exported.height == 8 and exported.item(-1, "district_code") == "city"
        expected = marts.filter(programme=programme, indicator=indicator, year=year)
        for row in exported.iter_rows(named=True):
            code = row["district_code"]
            m = expected.filter(pl.col("unit_code") == code).row(0, named=True)
            assert (row["numerator"], row["status"]) == (m["numerator"], m["status"])
            assert row["denominator"] == m["denominator"]
            if m["value"] is None:
                assert row["value"] is None
            else:
                assert row["value"] == pytest.approx(m["value"])


def test_xlsx_and_parquet_exports_carry_the_same_numbers(demo_data, tmp_path):
    base = [
        "--data-dir",
        str(demo_data),
        "export",
        "service_coverage",
        "--programme",
        "mental_rehab",
        "--year",
        "2025",
    ]
    assert main([*base, "--format", "xlsx", "--out", str(tmp_path / "a.xlsx")]) == 0
    assert main([*base, "--format", "parquet", "--out", str(tmp_path / "a.parquet")]) == 0
    xlsx = fastexcel.read_excel(tmp_path / "a.xlsx").load_sheet(0).to_polars()
    parquet = pl.read_parquet(tmp_path / "a.parquet")
    assert xlsx.get_column("district_code").to_list()[:2] == [
        "211202",
        "211204",
    ]  # text, not numbers
    assert (
        xlsx.get_column("numerator").cast(pl.Int64).to_list()
        == parquet.get_column("numerator").to_list()
    )


@pytest.mark.parametrize("by", ["township", "category", "month"])
def test_breakdown_exports_add_up_to_the_district(demo_data, tmp_path, by):
    out = tmp_path / f"{by}.csv"
    args = ["--data-dir", str(demo_data), "export", "service_coverage", "--programme", "mental_rehab",
            "--year", "2025", "--by", by, "--out", str(out), "--small-cells", "show"]  # fmt: skip
    assert main(args) == 0
    df = pl.read_csv(out, schema_overrides={"district_code": pl.String})
    marts = _marts(demo_data).filter(
        programme="mental_rehab", indicator="service_coverage", year=2025
    )
    city = marts.filter(unit_code="city").row(0, named=True)
    if by == "month":
        last = df.filter(pl.col("as_of") == df.get_column("as_of").max(), district_code="city").row(
            0, named=True
        )
        assert (last["numerator"], last["denominator"]) == (city["numerator"], city["denominator"])
        assert df.get_column("as_of").n_unique() == 9  # Jan–Sep 2025
    elif by == "category":
        total = df.filter(district_code="city").get_column("denominator").sum()
        assert total == city["denominator"]
    else:
        assert df.get_column("numerator").sum() == city["numerator"]


@pytest.mark.parametrize(
    ("by", "programme"), [("township", "mental_rehab"), ("category", "precise_rehab")]
)
def test_small_cells_are_shown_as_under_five_by_default(demo_data, tmp_path, by, programme):
    shown, hidden = tmp_path / "shown.csv", tmp_path / "hidden.csv"
    base = ["--data-dir", str(demo_data), "export", "service_coverage", "--programme", programme,
            "--year", "2025", "--by", by]  # fmt: skip
    assert main([*base, "--out", str(shown), "--small-cells", "show"]) == 0
    assert main([*base, "--out", str(hidden)]) == 0
    exact = pl.read_csv(shown, infer_schema=False)
    safe = pl.read_csv(hidden, infer_schema=False)
    small = exact.with_columns(
        pl.col("numerator").cast(pl.Int64).is_between(1, 4).alias("n_small"),
        pl.col("denominator").cast(pl.Int64).is_between(1, 4).alias("d_small"),
    )
    assert small.get_column("n_small").any()  # the demo has small cells to protect
    assert safe.height == exact.height
    for e, s, row in zip(exact.iter_rows(named=True), safe.iter_rows(named=True),
                         small.iter_rows(named=True), strict=True):  # fmt: skip
        for column, flag in (("numerator", "n_small"), ("denominator", "d_small")):
            if row[flag]:
                assert s[column] == "<5"
            else:  # shown, or hidden as the complement of a <5 in its line
                assert s[column] in (e[column], "*")
        if {s["numerator"], s["denominator"]} & {"<5", "*"}:
            assert s["value"] is None  # the ratio would give the count away
        else:
            assert s["value"] == e["value"]
    # No count from 1 to 4 is left in the file.
    counts = safe.select("numerator", "denominator").unpivot().get_column("value")
    assert not counts.filter(~counts.is_in(["<5", "*"])).cast(pl.Int64).is_between(1, 4).any()


def _attack(fine: pl.DataFrame, totals: pl.DataFrame, by: str) -> list[str]:
    """Every differencing attack on one protected export: a line whose total is known (a
    district's townships or categories add up to the district row of the district export,
    one category of every district to the city's) with one hidden cell gives that cell as
    the total minus the others; solved cells may open further lines. Also a ratio or
    derived figure left beside a hidden count. The cells the attacker recovers."""
    unit = "district_code"
    member = "township" if by == "township" else "category"
    found = []
    for count in ("denominator", "numerator"):
        cells = {
            (r[unit], r[member]): r[count]
            for r in fine.iter_rows(named=True)
            if r[count] is not None
        }
        known = {k: int(v) for k, v in cells.items() if v not in ("<5", "*")}
        # Lines as ({cell: coefficient}, constant): the sum of coefficient × cell is known.
        # (A unit with a single member is its published total: nothing to learn there.)
        lines = [
            ({k: 1 for k in cells if k[0] == u}, int(t))
            for u, t in totals.select(unit, count).iter_rows()
            if t is not None
            and (by == "category" or u != "city")
            and sum(k[0] == u for k in cells) > 1
        ]
        if by == "category":  # the districts' cells of a category minus the city's is 0
            for m in {k[1] for k in cells}:
                lines.append(({k: -1 if k[0] == "city" else 1 for k in cells if k[1] == m}, 0))
        solved = True
        while solved:
            solved = False
            for line, total in lines:
                unknown = [k for k in line if k not in known]
                if len(unknown) == 1:
                    rest = sum(c * known[k] for k, c in line.items() if k in known)
                    known[unknown[0]] = (total - rest) // line[unknown[0]]
                    found.append(f"{count} {unknown[0]} = {known[unknown[0]]}")
                    solved = True
        derived = [
            c
            for c in ("value", "gap", "projection", "persons_needed", "status")
            if c in fine.columns
        ]
        for r in fine.iter_rows(named=True):
            if r[count] in ("<5", "*"):
                shown = [c for c in derived if r[c] is not None]
                if shown:
                    found.append(f"{count} {(r[unit], r[member])}: {shown} shown")
    return found


def test_no_hidden_cell_can_be_worked_back_from_any_export(demo_data, tmp_path):
    """Secondary suppression: every township and category export of every indicator and
    year of the demo, attacked with the district export's totals, gives nothing back."""
    marts = _marts(demo_data)
    exports = marts.select("programme", "indicator", "year").unique().sort(pl.all())
    attacked = protected = 0
    for programme, indicator, year in exports.iter_rows():
        base = ["--data-dir", str(demo_data), "export", indicator, "--programme", programme,
                "--year", str(year), "--format", "csv"]  # fmt: skip
        totals_file = tmp_path / "district.csv"
        assert main([*base, "--out", str(totals_file)]) == 0
        totals = pl.read_csv(totals_file, infer_schema=False)
        for by in ("township", "category"):
            out = tmp_path / f"{by}.csv"
            assert main([*base, "--by", by, "--out", str(out)]) == 0
            fine = pl.read_csv(out, infer_schema=False)
            hidden = fine.select(pl.col("denominator", "numerator").is_in(["<5", "*"]).any())
            protected += any(hidden.row(0))
            attacked += 1
            found = _attack(fine, totals, by)
            assert not found, (programme, indicator, year, by, found[:5])
    assert attacked >= 14 * 3 * 2 and protected >= 20  # the demo has small cells to protect


def test_export_for_another_as_of_date_is_computed_the_same_way(demo_data, tmp_path):
    out = tmp_path / "june.csv"
    args = ["--data-dir", str(demo_data), "export", "service_coverage", "--programme", "mental_rehab",
            "--year", "2025", "--as-of", "2025-06-30", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    june = pl.read_csv(out, schema_overrides={"district_code": pl.String})
    assert set(june.get_column("as_of").to_list()) == {"2025-06-30"}
    monthly = connect_published(load_settings(demo_data))
    try:
        row = monthly.execute(
            "select numerator, denominator from indicator_monthly where programme = 'mental_rehab' and "
            "indicator = 'service_coverage' and as_of = '2025-06-30' and unit_level = 'city'"
        ).fetchone()
    finally:
        monthly.close()
    city = june.filter(district_code="city").row(0, named=True)
    assert (city["numerator"], city["denominator"]) == row


def test_unknown_indicator_is_refused(demo_data, tmp_path):
    args = ["--data-dir", str(demo_data), "export", "review_timeliness", "--programme", "mental_rehab",
            "--year", "2025", "--out", str(tmp_path / "x.csv")]  # fmt: skip
    assert main(args) == 1


def test_a_period_computed_on_the_snapshot_uses_the_marts_threshold(demo_data):
    # A reader with another threshold setting than the run that built the marts: an export of
    # a month end (computed on the snapshot, not stored at township level) must classify as
    # the marts do, so a district is not "lagging" in one place and "behind" in another.
    from pipelines.outputs.export import export_frame

    built = load_settings(demo_data)
    other = load_settings(demo_data, lagging_points=50.0)
    con = connect_published(built)
    try:
        stored = scalar(con, "select lagging_points from mart_meta")
        month_end = scalar(
            con,
            "select max(as_of) from indicator_monthly where year = 2025 and as_of < "
            "(select as_of from mart_meta)",
        )
        monthly = frame(
            con,
            "select unit_code, status from indicator_monthly where programme = 'mental_rehab' "
            "and indicator = 'service_coverage' and year = 2025 and as_of = ?",
            [month_end],
        )
    finally:
        con.close()
    assert stored == built.lagging_points == 5.0
    by_township = export_frame(
        other, "service_coverage", "mental_rehab", 2025, month_end, "township"
    )
    by_district = export_frame(other, "service_coverage", "mental_rehab", 2025, month_end)
    expected = dict(monthly.iter_rows())
    assert {r["district_code"]: r["status"] for r in by_district.iter_rows(named=True)} == {
        code: expected[code] for code in by_district.get_column("district_code")
    }
    # Township rows of a month end are computed on the snapshot, with the stored threshold:
    # with the reader's 50 points no township would be 严重滞后 (behind).
    assert "behind" in set(by_township.get_column("status"))
