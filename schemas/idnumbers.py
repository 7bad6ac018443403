"""Chinese resident ID numbers (GB 11643-1999) and disabled-person certificate numbers."""

from __future__ import annotations

from datetime import date

import polars as pl

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def check_digit(body17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(body17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def upgrade_15(id15: str) -> str:
    """Convert a legacy 15-digit number to 18 digits: insert century 19, append check digit."""
    body = id15[:6] + "19" + id15[6:]
    return body + check_digit(body)


def checksum_ok(id18: str) -> bool:
    return len(id18) == 18 and id18[:17].isdigit() and check_digit(id18[:17]) == id18[17]


def birth_date(id18: str) -> date | None:
    """Birth date carried in digits 7–14, or None if it is not a real date."""
    try:
        return date(int(id18[6:10]), int(id18[10:12]), int(id18[12:14]))
    except ValueError:
        return None


def gender(id18: str) -> str:
    """男 for an odd 17th digit, 女 for an even one."""
    return "男" if int(id18[16]) % 2 else "女"


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
    return pl.select(mask_id_expr(pl.lit(value, dtype=pl.String))).item()


def mask_name(value: str | None) -> str | None:
    """`mask_name_expr` for one value."""
    return pl.select(mask_name_expr(pl.lit(value, dtype=pl.String))).item()
