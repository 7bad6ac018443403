"""Chinese resident ID numbers (GB 11643-1999) and disabled-person certificate numbers."""

from __future__ import annotations

from datetime import date

import polars as pl

# GB 11643-1999 (ISO 7064 MOD 11-2): the weight of each of the first 17 digits, and the check
# character for each remainder of the weighted sum modulo 11.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# The shapes of an ID number once normalised: 17 digits and a check character, 15 legacy digits.
ID18 = r"\d{17}[\dX]"
ID15 = r"\d{15}"


def check_char_expr(expr: pl.Expr) -> pl.Expr:
    """The check character of the first 17 characters of `expr` (null unless they are digits):
    the one definition, used by validation, the 15 → 18 upgrade and the demo generator."""
    total = pl.sum_horizontal(
        expr.str.slice(i, 1).cast(pl.Int32, strict=False) * w for i, w in enumerate(_WEIGHTS)
    )
    char = (total % 11).replace_strict(
        list(range(11)), list(_CHECK), return_dtype=pl.String, default=None
    )
    return pl.when(expr.str.contains(r"^\d{17}")).then(char)


def upgrade_15_expr(expr: pl.Expr) -> pl.Expr:
    """A legacy 15-digit number → 18 digits (century 19 inserted, check character appended);
    any other value unchanged."""
    body = pl.concat_str(expr.str.slice(0, 6), pl.lit("19"), expr.str.slice(6, 9))
    legacy = expr.str.contains(f"^{ID15}$").fill_null(False)
    return pl.when(legacy).then(pl.concat_str(body, check_char_expr(body))).otherwise(expr)


def _one(expr_of, value: str) -> str | None:
    return pl.select(expr_of(pl.lit(value, dtype=pl.String))).item()


def check_digit(body17: str) -> str:
    """`check_char_expr` for one number."""
    return _one(check_char_expr, body17)


def upgrade_15(id15: str) -> str:
    """`upgrade_15_expr` for one number."""
    return _one(upgrade_15_expr, id15)


def checksum_ok(id18: str) -> bool:
    return len(id18) == 18 and id18[:17].isdigit() and check_digit(id18) == id18[17]


def make_id(area: str, born: date, sequence: int) -> str:
    """A valid 18-digit number for synthetic data (sequence 0–999; odd → male)."""
    body = f"{area}{born:%Y%m%d}{sequence % 1000:03d}"
    return body + check_digit(body)


def mask_id_expr(expr: pl.Expr) -> pl.Expr:
    """The one ID mask, used wherever a number is shown or stored masked: 211202********1234
    (an ID or certificate number: at most its first six and last four characters). Anything
    shorter than 15 characters (a damaged number, a name in the wrong column) keeps only its
    first and last character, so a short value is never shown whole."""
    n = expr.str.len_chars()
    return (
        pl.when(n >= 15)
        .then(pl.concat_str(expr.str.slice(0, 6), pl.lit("********"), expr.str.slice(-4, 4)))
        .when(n >= 3)
        .then(pl.concat_str(expr.str.slice(0, 1), pl.lit("********"), expr.str.slice(-1, 1)))
        .when(n >= 1)
        .then(pl.lit("********"))
    )


def mask_name_expr(expr: pl.Expr) -> pl.Expr:
    """The one name mask: 张*明 (three or more characters), 张* (two), * (one)."""
    n = expr.str.len_chars()
    return (
        pl.when(n >= 3)
        .then(pl.concat_str(expr.str.slice(0, 1), pl.lit("*"), expr.str.slice(-1, 1)))
        .when(n == 2)
        .then(pl.concat_str(expr.str.slice(0, 1), pl.lit("*")))
        .when(n == 1)
        .then(pl.lit("*"))
    )


def mask_id(value: str | None) -> str | None:
    """`mask_id_expr` for one value."""
    return _one(mask_id_expr, value)


def mask_name(value: str | None) -> str | None:
    """`mask_name_expr` for one value."""
    return _one(mask_name_expr, value)
