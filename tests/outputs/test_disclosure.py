"""Small-cell protection on hand-made tables: primary and complementary suppression."""

from __future__ import annotations

import polars as pl

from pipelines.outputs import disclosure

PERIOD = {"programme": "mental_rehab", "indicator": "service_coverage", "year": 2025,
          "as_of": "2025-09-30"}  # fmt: skip


def _townships(district: str, counts: dict[str, int | None]) -> list[dict]:
    return [
        {**PERIOD, "district_code": district, "township": t, "denominator": 50, "numerator": n,
         "value": None if n is None else n / 50, "gap": 1.0, "persons_needed": 3,
         "status": "behind"}
        for t, n in counts.items()
    ]  # fmt: skip


def _protect_townships(rows: list[dict]) -> pl.DataFrame:
    return disclosure.protect(
        pl.DataFrame(rows), disclosure.township_lines(), ["district_code", "township"]
    )


def _marks(df: pl.DataFrame, key: str, count: str = "numerator") -> dict:
    return dict(zip(df.get_column(key), df.get_column(disclosure.mark_column(count)), strict=True))


def test_a_lone_small_township_takes_the_smallest_other_count_with_it():
    rows = _townships("211202", {"八宝镇": 4, "城东镇": 40, "城西镇": 9, "李家台乡": 0})
    out = _protect_townships(rows)
    assert _marks(out, "township") == {
        "八宝镇": "<5",
        "城东镇": None,
        "城西镇": "*",
        "李家台乡": None,
    }
    hidden = out.filter(pl.col("numerator_hidden").is_not_null())
    assert hidden.get_column("numerator").null_count() == 2
    # The ratio, gap and persons still needed would give the hidden count back.
    assert hidden.select("value", "gap", "persons_needed", "status").null_count().row(0) == (
        2,
        2,
        2,
        2,
    )
    assert out.filter(township="城东镇").row(0, named=True)["value"] == 0.8
    # The denominators are all 50: nothing to hide there.
    assert out.get_column("denominator_hidden").null_count() == 4


def test_two_small_townships_protect_each_other_and_zeros_stay_shown():
    out = _protect_townships(_townships("211202", {"甲镇": 2, "乙镇": 3, "丙镇": 0, "丁镇": 30}))
    assert _marks(out, "township") == {"甲镇": "<5", "乙镇": "<5", "丙镇": None, "丁镇": None}


def test_when_only_zeros_remain_a_zero_is_the_complement():
    out = _protect_townships(_townships("211202", {"甲镇": 2, "乙镇": 0, "丙镇": 0}))
    # Equal counts: the first cell by name (丙 U+4E19 before 乙 U+4E59), so always the same.
    assert _marks(out, "township") == {"甲镇": "<5", "乙镇": None, "丙镇": "*"}


def test_lines_are_separate_per_district_and_missing_counts_are_not_cells():
    rows = [
        *_townships("211202", {"甲镇": 1, "乙镇": 8, "丙镇": 12}),
        *_townships("211204", {"丁镇": 6, "戊镇": None, "己镇": 7}),
    ]
    out = _protect_townships(rows)
    assert _marks(out, "township") == {"甲镇": "<5", "乙镇": "*", "丙镇": None, "丁镇": None,
                                       "戊镇": None, "己镇": None}  # fmt: skip


def _category_table() -> pl.DataFrame:
    """Districts × categories with the city's row (the sum of the districts')."""
    cells = {
        ("211202", "精神"): 3, ("211202", "智力"): 20, ("211202", "肢体"): 30,
        ("211204", "精神"): 15, ("211204", "智力"): 9, ("211204", "肢体"): 25,
        ("211221", "精神"): 12, ("211221", "智力"): 11, ("211221", "肢体"): 6,
    }  # fmt: skip
    for m in ("精神", "智力", "肢体"):
        cells[("city", m)] = sum(v for (u, mm), v in cells.items() if mm == m)
    rows = [
        {**PERIOD, "district_code": u, "category": m, "denominator": None, "numerator": n}
        for (u, m), n in cells.items()
    ]
    return pl.DataFrame(rows)


def _hidden_per_line(out: pl.DataFrame, key: str) -> list[int]:
    return (
        out.group_by(key)
        .agg(pl.col("numerator_hidden").is_not_null().sum())
        .get_column("numerator_hidden")
        .to_list()
    )


def test_in_a_two_way_table_every_line_has_no_hidden_cell_or_at_least_two():
    table = _category_table()
    lines = disclosure.breakdown_lines("district_code", "category")
    out = disclosure.protect(table, lines, ["district_code", "category"])
    marks = {(r["district_code"], r["category"]): r["numerator_hidden"] for r in out.to_dicts()}
    assert marks[("211202", "精神")] == "<5"
    # The row's complement (智力, 20 < 30) leaves one hidden cell in the 智力 column and
    # the 精神 column, so each takes one more, which leaves other rows with one, and so on.
    assert sum(m is not None for m in marks.values()) >= 4
    for key in ("district_code", "category"):
        assert all(n == 0 or n >= 2 for n in _hidden_per_line(out, key))


def test_the_choice_does_not_depend_on_the_order_of_the_rows():
    table = _category_table()
    lines = disclosure.breakdown_lines("district_code", "category")
    cell = ["district_code", "category"]
    one = disclosure.protect(table, lines, cell).sort(cell)
    other = disclosure.protect(table.reverse(), lines, cell).sort(cell)
    assert (
        one.get_column("numerator_hidden").to_list()
        == other.get_column("numerator_hidden").to_list()
    )


def test_as_text_writes_the_marks_in_place_of_the_counts():
    out = disclosure.as_text(_protect_townships(_townships("211202", {"甲镇": 2, "乙镇": 9})))
    assert out.get_column("numerator").to_list() == ["<5", "*"]
    assert out.get_column("denominator").to_list() == ["50", "50"]
    assert "numerator_hidden" not in out.columns
