"""Row-level check expressions shared by the dataset models, and the run's validation context.

Every expression returns True for a row that passes; a missing value passes (required
fields are checked separately), so each bad row fails exactly the rule it breaks.
Values arrive normalised (see `pipelines.ingest.normalise`): canonical text where the input could
be understood, the original text where it could not.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from schemas.idnumbers import ID18, check_char_expr
from schemas.vocab import CATEGORY_VALUES, GENDER_VALUES, LEVEL_VALUES, POVERTY_VALUES

ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"


@dataclass(frozen=True)
class Context:
    """Facts a check needs beyond the row: today, the jurisdiction, what is already loaded."""

    today: date
    district_codes: frozenset[str] = frozenset()
    jurisdiction_name: str = ""
    programme_codes: frozenset[str] = frozenset()
    ambiguous_districts: frozenset[str] = frozenset()  # spellings that could mean two areas
    known_case_ids: pl.Series = field(default_factory=lambda: pl.Series([], dtype=pl.String))
    duplicate_keys: pl.Series = field(default_factory=lambda: pl.Series([], dtype=pl.String))


_CONTEXT: contextvars.ContextVar[Context] = contextvars.ContextVar("validation_context")


@contextmanager
def validation_context(ctx: Context) -> Iterator[Context]:
    """Make `ctx` the context the checks see while validating."""
    token = _CONTEXT.set(ctx)
    try:
        yield ctx
    finally:
        _CONTEXT.reset(token)


def context() -> Context:
    return _CONTEXT.get()


def _ok(expr: pl.Expr, col: str) -> pl.Expr:
    return pl.col(col).is_null() | expr.fill_null(False)


def in_set(col: str, values: frozenset[str]) -> pl.Expr:
    return _ok(pl.col(col).is_in(sorted(values)), col)


def is_date(col: str) -> pl.Expr:
    parsed = pl.col(col).str.to_date("%Y-%m-%d", strict=False)
    return _ok(pl.col(col).str.contains(ISO_DATE) & parsed.is_not_null(), col)


def date_in_range(col: str) -> pl.Expr:
    parsed = pl.col(col).str.to_date("%Y-%m-%d", strict=False)
    # An unreadable date is reported by is_date, not here.
    in_range = parsed.is_between(date(1900, 1, 1), context().today)
    return pl.col(col).is_null() | parsed.is_null() | in_range


def not_before(col: str, start: str) -> pl.Expr:
    end_d = pl.col(col).str.to_date("%Y-%m-%d", strict=False)
    start_d = pl.col(start).str.to_date("%Y-%m-%d", strict=False)
    return (end_d >= start_d).fill_null(True)


def is_number(col: str) -> pl.Expr:
    value = pl.col(col).cast(pl.Float64, strict=False)
    return _ok(value.is_not_null() & (value >= 0) & value.is_finite(), col)


def is_int(col: str) -> pl.Expr:
    value = pl.col(col).cast(pl.Float64, strict=False)
    return _ok(value.is_not_null() & (value >= 0) & (value == value.floor()), col)


def is_year(col: str) -> pl.Expr:
    value = pl.col(col).cast(pl.Int64, strict=False)
    return _ok(value.is_between(2000, context().today.year), col)


def _id_body_ok(col: str) -> pl.Expr:
    return pl.col(col).str.contains(f"^{ID18}$")


_FLOATED = r"(?i)^\d+(\.\d*)?e\+?\d+$|^\d+\.\d*$"


def id_not_float(col: str) -> pl.Expr:
    """Excel's number forms: 2.11202E+17, 211202199001011234.0."""
    return _ok(~pl.col(col).str.contains(_FLOATED), col)


def id_format(col: str) -> pl.Expr:
    # Excel's number forms are reported by id_not_float, not twice.
    return _ok(_id_body_ok(col) | pl.col(col).str.contains(_FLOATED), col)


def check_char(col: str, offset: int = 0) -> pl.Expr:
    """The GB 11643 check character computed from 17 digits starting at `offset`."""
    return check_char_expr(pl.col(col).str.slice(offset, 17))


def id_checksum(col: str) -> pl.Expr:
    return (
        pl.col(col).is_null()
        | ~_id_body_ok(col)
        | (check_char(col) == pl.col(col).str.slice(17, 1))
    )


def id_birth(col: str, offset: int = 0) -> pl.Expr:
    born = pl.col(col).str.slice(offset + 6, 8).str.to_date("%Y%m%d", strict=False)
    body_ok = pl.col(col).str.slice(offset, 18).str.contains(f"^{ID18}$")
    ok = born.is_not_null() & born.is_between(date(1900, 1, 1), context().today)
    return pl.col(col).is_null() | ~body_ok | ok.fill_null(False)


def certificate_format(col: str) -> pl.Expr:
    # Excel's number forms are reported by id_not_float, not twice.
    fmt = pl.col(col).str.contains(f"^{ID18}[1-7][1-4]$")
    return _ok(fmt | pl.col(col).str.contains(_FLOATED), col)


def certificate_checksum(col: str) -> pl.Expr:
    fmt = pl.col(col).str.contains(f"^{ID18}[1-7][1-4]$")
    return pl.col(col).is_null() | ~fmt | (check_char(col) == pl.col(col).str.slice(17, 1))


def certificate_matches(cert: str, id_col: str) -> pl.Expr:
    both = pl.col(cert).is_not_null() & pl.col(id_col).is_not_null()
    floated = pl.col(cert).str.contains(_FLOATED) | pl.col(id_col).str.contains(_FLOATED)
    same = pl.col(cert).str.slice(0, 18) == pl.col(id_col)
    return ~both | floated.fill_null(False) | same.fill_null(True)


def category_ok(col: str) -> pl.Expr:
    return in_set(col, CATEGORY_VALUES)


def level_ok(col: str) -> pl.Expr:
    return in_set(col, LEVEL_VALUES)


def gender_ok(col: str) -> pl.Expr:
    return in_set(col, GENDER_VALUES)


def poverty_ok(col: str) -> pl.Expr:
    return in_set(col, POVERTY_VALUES)


def yes_no_ok(col: str) -> pl.Expr:
    return in_set(col, frozenset({"Y", "N"}))


def programme_ok(col: str) -> pl.Expr:
    return in_set(col, context().programme_codes)


def programme_list_ok(col: str) -> pl.Expr:
    codes = sorted(context().programme_codes)
    items = pl.col(col).str.split(";")
    return pl.col(col).is_null() | items.list.eval(pl.element().is_in(codes)).list.all()


def district_ok(col: str) -> pl.Expr:
    """A unit of the jurisdiction (an ambiguous spelling is reported by district_unambiguous)."""
    return in_set(col, context().district_codes | context().ambiguous_districts)


def district_unambiguous(col: str) -> pl.Expr:
    return _ok(~pl.col(col).is_in(sorted(context().ambiguous_districts)), col)


def known_case(col: str) -> pl.Expr:
    return _ok(pl.col(col).is_in(context().known_case_ids.implode()), col)


def unique_key(col: str) -> pl.Expr:
    """The row's key (column `_key`, all key columns joined) does not occur in the file with
    different contents; reported on the key's first column `col`."""
    return pl.col("_key").is_null() | ~pl.col("_key").is_in(context().duplicate_keys.implode())
