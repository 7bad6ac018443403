"""Checks: SQL assertions on the marts, run after they are computed and before publishing.

Each check in `pipelines/indicators/sql/checks.sql` selects the rows that break it. Any rows fail the
run with the check named; the published snapshot stays as it was, so a wrong number never
reaches a page, an export or a bulletin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from pipelines.warehouse.db import sql_file

_BLOCK = re.compile(r"^-- check: (\w+)\n((?:--[^\n]*\n)*)(.*?)(?=^-- check: |\Z)", re.M | re.S)
SAMPLE_ROWS = 3


@dataclass(frozen=True)
class Check:
    name: str
    asserts: str
    sql: str


@dataclass(frozen=True)
class Failure:
    check: str
    rows: int
    sample: list[tuple]

    def __str__(self) -> str:
        return f"{self.check}: {self.rows} 行 rows, e.g. {self.sample}"


class ChecksFailed(RuntimeError):
    """The marts break at least one check; they are not published."""

    def __init__(self, failures: list[Failure]):
        self.failures = failures
        super().__init__(
            "指标检查未通过，未发布 / mart checks failed, not published: "
            + "; ".join(str(f) for f in failures)
        )


def checks() -> list[Check]:
    text = sql_file("indicators", "checks.sql")
    return [
        Check(m.group(1), re.sub(r"^-- ?", "", m.group(2), flags=re.M).strip(),
              m.group(3).strip().rstrip(";"))
        for m in _BLOCK.finditer(text)
    ]  # fmt: skip


def run_checks(con: duckdb.DuckDBPyConnection) -> list[Failure]:
    """Every failing check with how many rows break it and a few of them."""
    failures = []
    for check in checks():
        rows = con.execute(f"select count(*) from ({check.sql})").fetchone()[0]
        if rows:
            sample = con.execute(f"select * from ({check.sql}) limit {SAMPLE_ROWS}").fetchall()
            failures.append(Failure(check.name, rows, sample))
    return failures


def assert_marts(con: duckdb.DuckDBPyConnection) -> None:
    failures = run_checks(con)
    if failures:
        raise ChecksFailed(failures)
