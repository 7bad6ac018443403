"""Bulletin periods: a quarter, a month or a year to date, and the as-of date each ends at."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Period:
    year: int
    as_of: date
    label: str  # 2025年第三季度, 2025年9月, 2025年1-9月
    start: date | None = None  # the period's first day
    end: date | None = None  # its last day (the as-of date is capped at the data's)

    def window(self, issued: date) -> tuple[date, date]:
        """The days whose 督办 steps a bulletin of this period reports: from the period's first
        day to its end, or to the issue date when the period runs up to the data's as-of date
        (the latest period: what happened since, up to issuing, is reported too)."""
        start = self.start or date(self.year, 1, 1)
        end = self.end or date(self.year, 12, 31)
        return start, end if self.as_of >= end else max(issued, self.as_of)


def parse_period(text: str, published: date) -> Period:
    """'2025-Q3', '2025-09' or '2025' (year to date), capped at the published as-of date."""
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
        year, q = int(m[1]), int(m[2])
        end = date(year, 3 * q, 31 if 3 * q in (3, 12) else 30)
        label = f"{year}年第{'一二三四'[q - 1]}季度"
        start = date(year, 3 * q - 2, 1)
    elif m := re.fullmatch(r"(\d{4})-(0?[1-9]|1[0-2])", text):
        year, month = int(m[1]), int(m[2])
        end = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        label = f"{year}年{month}月"
        start = date(year, month, 1)
    elif m := re.fullmatch(r"(\d{4})(-YTD)?", text):
        year = int(m[1])
        end = date(year, 12, 31)
        label = f"{year}年1-{min(end, published).month}月"
        start = date(year, 1, 1)
    else:
        raise ValueError(
            f"期间应为 2025-Q3、2025-09 或 2025 / period must look like 2025-Q3, 2025-09 or 2025: {text!r}"
        )
    as_of = min(end, published)
    if as_of < date(year, 1, 1):
        raise ValueError(f"{text}: 尚无该期间的数据 / no data for this period yet")
    return Period(year, as_of, label, start, end)


def period_choices(year: int, as_of: date) -> list[tuple[str, str]]:
    """(value, label) of every period of `year` with data by `as_of`, newest first after the
    year to date: what the bulletins page offers, each value one `parse_period` accepts."""
    choices = [(str(year), f"{year}年（1月至今）")]
    choices += [
        (f"{year}-Q{q}", f"{year}年第{'一二三四'[q - 1]}季度")
        for q in range(4, 0, -1)
        if date(year, 3 * q - 2, 1) <= as_of
    ]
    choices += [
        (f"{year}-{m:02d}", f"{year}年{m}月") for m in range(12, 0, -1) if date(year, m, 1) <= as_of
    ]
    return choices
