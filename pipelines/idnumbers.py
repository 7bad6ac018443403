"""Chinese resident ID numbers (GB 11643-1999) and disabled-person certificate numbers."""

from __future__ import annotations

from datetime import date

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


def mask_id(value: str | None) -> str | None:
    """First six and last four characters kept: 211202********1234."""
    if value is None or value == "":
        return value
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_name(value: str | None) -> str | None:
    """张*明: first and last character kept; two-character names keep the surname (张*)."""
    if value is None or value == "":
        return value
    if len(value) == 1:
        return "*"
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]
