"""Rows a file takes back from a newer file: counted per file that last wrote them, never silent.

Later runs replace earlier rows (§3), so a district's older ledger sent again after its
correction puts the old values back. That still happens — the rule stays simple and the same
for everyone — but the run report, the command line and the data page say how many rows and
which newer file had written them, so the administrator can re-apply the newer file.

Which of two files is newer: a file's place in time is when a file of its name was first
loaded. A file whose name was loaded before is newer than another only if its name was first
loaded later (an earlier copy of `个案台账_2025-05.xlsx` came before `个案台账_2025-05_更正.xlsx`).
A name never loaded before (or two names first loaded in one run) take their place by
file-name order, the order files of one run are applied in (`个案台账_2025-05(1).xlsx` sorts
before `…_更正.xlsx`). A file sent again under its own name with new content is its own
correction, never a warning. Only rows whose values change count: a row written again as it
was is not a reversion.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipelines.warehouse.db import loaded_columns, rows
from schemas.contract import Dataset
from schemas.messages import message

SOURCE_COLUMNS = ("source_file", "source_row", "source_run")


@dataclass(frozen=True)
class Replaced:
    """Rows a file replaced that `newer_file` had last written, and why that file is newer
    (loaded_later, name_order) or that the file was re-applied (reapplied)."""

    newer_file: str
    newer_run: int | None
    rows: int
    reason: str

    def message(self) -> tuple[str, str]:
        code = (
            "reapplied_replaced" if self.reason == "reapplied" else f"replaced_newer_{self.reason}"
        )
        run = "—" if self.newer_run is None else self.newer_run
        return message(code, newer=self.newer_file, rows=self.rows, newer_run=run)


def changed_rows_by_writer(
    con: duckdb.DuckDBPyConnection, dataset: Dataset, stage: str
) -> list[tuple[str, int, int | None]]:
    """(file that last wrote them, rows, its newest run) of the loaded rows whose values the
    staged file changes, other files' rows only."""
    match = " and ".join(f"t.{k} = s.{k}" for k in dataset.key)
    values = [n for n, _t, _nn in loaded_columns(dataset) if n not in SOURCE_COLUMNS]
    differs = " or ".join(f"t.{c} is distinct from s.{c}" for c in values)
    return rows(
        con,
        f"""
        with
        previous as (
            select t.source_file, t.source_run
            from {dataset.name} t
            join {stage} s on {match}
            where t.source_file <> s.source_file
              and ({differs})
        ),
        final as (
            select source_file, count(*) as n, max(source_run) as last_run
            from previous
            group by source_file
        )
        select * from final order by n desc, source_file
        """,
    )


def replaced_rows(
    con: duckdb.DuckDBPyConnection,
    dataset: Dataset,
    stage: str,
    file: str,
    run_id: int,
    *,
    reapplied: bool = False,
) -> list[Replaced]:
    """What loading the staged `file` will take back from newer files (or, re-applied, every
    other file's rows it changes)."""
    writers = changed_rows_by_writer(con, dataset, stage)
    if not writers:
        return []
    names = [file, *(w for w, _n, _r in writers)]
    first, last = {}, {}
    for name, first_run, last_run in rows(
        con,
        "select file, min(run_id), max(run_id) from loaded_files "
        "where file in (select unnest(?)) and run_id < ? group by file",
        [names, run_id],
    ):
        first[name], last[name] = first_run, last_run
    found = []
    for writer, n, writer_run in writers:
        run = writer_run if writer_run is not None else last.get(writer)
        if reapplied:
            found.append(Replaced(writer, run, n, "reapplied"))
        elif (reason := _newer(file, writer, first, run)) is not None:
            found.append(Replaced(writer, run, n, reason))
    return found


def _newer(file: str, writer: str, first: dict[str, int], writer_run: int | None) -> str | None:
    """Why `writer` is newer than `file` (loaded_later, name_order), or None when it is not."""
    mine = first.get(file)
    theirs = first.get(writer, writer_run)
    if mine is not None and theirs is not None and theirs != mine:
        return "loaded_later" if theirs > mine else None
    # A name never loaded before, or both first loaded in one run (applied in name order).
    return "name_order" if writer > file else None


def record_replaced(
    con: duckdb.DuckDBPyConnection, run_id: int, file: str, dataset: str, found: list[Replaced]
) -> None:
    for r in found:
        zh, en = r.message()
        con.execute(
            "insert into run_replaced by name select ? as run_id, ? as file, ? as dataset, "
            '? as newer_file, ? as newer_run, ? as reason, ? as "rows", ? as message_zh, '
            "? as message_en",
            [run_id, file, dataset, r.newer_file, r.newer_run, r.reason, r.rows, zh, en],
        )
