"""Small cells: counts below five in breakdowns finer than a district, hidden so that no
person can be pointed at — also not by subtracting the visible cells from a published total.

Primary suppression hides a count of 1–4 (shown as "<5"). A single hidden cell in a line
whose total is known (a district's townships add up to the district, a district's
categories to the district, every district's cells of one category to the city's) can be
worked back by subtraction, so complementary suppression hides one more cell of that line
(shown as "*"): the smallest other count, a non-zero one first. Both rules run until every
line holds no hidden cell or at least two (the complementary cell of one line may leave
another line with a single one). The choice is deterministic, so the same count hidden in
an export is hidden on the district page too, whichever of them a reader combines.

Denominator and numerator are protected each on its own; in a row where either is hidden,
every figure computed from the counts (the ratio, the gap, the projection, the persons
still needed, the status) is emptied, since with the other count it would give the hidden
one back or narrow it.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

PRIMARY = "<5"  # a count of 1–4
COMPLEMENT = "*"  # hidden so that a <5 in its line cannot be worked back from the total
SMALL = (1, 4)
COUNTS = ("denominator", "numerator")
# With the other count shown, each would narrow the hidden one (a status "met" over a
# denominator of 5 says the hidden numerator is 4).
DERIVED = ("value", "gap", "projection", "persons_needed", "status")
PERIOD = ("programme", "indicator", "year", "as_of")


def mark_column(count: str) -> str:
    """The column saying why `count` is hidden in a row (PRIMARY, COMPLEMENT or null)."""
    return f"{count}_hidden"


def protect(
    rows: pl.DataFrame, lines: Sequence[Sequence[str]], cell: Sequence[str]
) -> pl.DataFrame:
    """`rows` with small counts and their complements hidden (set to null) and a
    `<count>_hidden` column per count saying which rule hid it.

    `lines` are the groups whose totals a reader knows (each a list of columns); `cell`
    the columns that identify a row, for a deterministic choice of complements.
    """
    if rows.is_empty():
        return rows.with_columns(
            pl.lit(None, dtype=pl.String).alias(mark_column(c)) for c in COUNTS if c in rows.columns
        )
    counts = [c for c in COUNTS if c in rows.columns]
    out = rows.with_row_index("_order")
    for count in counts:
        out = out.with_columns(_marks(out, count, lines, cell).alias(mark_column(count)))
    hidden = pl.any_horizontal(pl.col(mark_column(c)).is_not_null() for c in counts)
    return (
        out.sort("_order")
        .drop("_order")
        .with_columns(
            *[pl.when(pl.col(mark_column(c)).is_null()).then(pl.col(c)).alias(c) for c in counts],
            *[pl.when(~hidden).then(pl.col(c)).alias(c) for c in DERIVED if c in rows.columns],
        )
    )


def _marks(
    rows: pl.DataFrame, count: str, lines: Sequence[Sequence[str]], cell: Sequence[str]
) -> pl.Series:
    """PRIMARY / COMPLEMENT / null for `count` in every row of `rows` (in its order)."""
    # Candidates for a complement come smallest first, non-zero before zero, then by cell.
    ordered = rows.select("_order", *{c for line in lines for c in line} | set(cell), count).sort(
        pl.col(count) == 0, count, *cell, nulls_last=True
    )
    value = pl.col(count)
    mark = pl.when(value.is_between(*SMALL)).then(pl.lit(PRIMARY)).otherwise(pl.lit(None))
    ordered = ordered.with_columns(mark.alias("_mark"))
    for _ in range(100):  # each pass hides at least one more cell; lines are short
        changed = False
        for line in lines:
            line = list(line)
            hidden = pl.col("_mark").is_not_null()
            open_cell = ~hidden & value.is_not_null()
            pick = (
                open_cell
                & (hidden.sum().over(line) == 1)
                & (open_cell.cast(pl.Int32).cum_sum().over(line) == 1)
            )
            picked = ordered.select(pick.fill_null(False).any()).item()
            if picked:
                ordered = ordered.with_columns(
                    pl.when(pick).then(pl.lit(COMPLEMENT)).otherwise(pl.col("_mark")).alias("_mark")
                )
                changed = True
        if not changed:
            break
    return ordered.sort("_order").get_column("_mark")


def as_text(rows: pl.DataFrame) -> pl.DataFrame:
    """Protected rows for a file: hidden counts written as their mark, the mark columns
    dropped (what a download or export holds)."""
    counts = [c for c in COUNTS if mark_column(c) in rows.columns]
    return rows.with_columns(
        pl.coalesce(pl.col(mark_column(c)), pl.col(c).cast(pl.String)).alias(c) for c in counts
    ).drop(mark_column(c) for c in counts)


def township_lines() -> list[list[str]]:
    """A district's townships add up to the district."""
    return [[*PERIOD, "district_code"]]


def breakdown_lines(unit: str, member: str, *within: str) -> list[list[str]]:
    """A unit's members add up to the unit; one member of every district adds up to the
    city's (the city is a unit of its own in the rows). `within`: further columns that
    separate tables (the breakdown's dimension)."""
    return [[*PERIOD, *within, unit], [*PERIOD, *within, member]]
