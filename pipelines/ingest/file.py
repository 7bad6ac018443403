"""One source through the stages: read → normalise → validate → protect → load, in batches,
with its rows accounted for (loaded + rejected + repeated = read) before it is committed."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import duckdb
import polars as pl

from pipelines.ingest.load import Stage, commit_file, record_quarantine, typed
from pipelines.ingest.newer import Replaced, record_replaced, replaced_rows
from pipelines.ingest.normalise import Vocabulary, clean_text, normalise
from pipelines.ingest.protect import protect
from pipelines.ingest.quarantine import QUARANTINE_SCHEMA, mask_values, quarantine_lines
from pipelines.ingest.read import FileRefused, Source, read_failure
from pipelines.ingest.validate import validate
from pipelines.warehouse.db import frame
from schemas.checks import Context
from schemas.messages import message

BATCH_ROWS = 100_000


STEPS = ("read", "normalise", "validate", "protect", "load")


@dataclass
class FileResult:
    file: str
    file_hash: str
    status: str  # loaded, skipped, refused
    dataset: str | None = None
    sheet: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_warned: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    merged_values: int = 0  # values carried from merged cells into the rows they span
    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STEPS, 0.0))
    message_zh: str | None = None
    message_en: str | None = None
    reapplied: bool = False  # loaded again at an administrator's request
    replaced: list[Replaced] = field(default_factory=list)  # rows taken from newer files

    @property
    def rows_replaced_newer(self) -> int:
        return sum(r.rows for r in self.replaced if r.reason != "reapplied")


def record_file(con: duckdb.DuckDBPyConnection, run_id: int, r: FileResult) -> None:
    con.execute(
        """
        insert into run_files by name select
            ? as run_id, ? as file, ? as file_hash, ? as dataset, ? as sheet, ? as status,
            ? as rows_read, ? as rows_loaded, ? as rows_rejected, ? as rows_warned,
            ? as unknown_columns, ? as merged_values, ? as seconds_read, ? as seconds_normalise,
            ? as seconds_validate, ? as seconds_protect, ? as seconds_load, ? as message_zh,
            ? as message_en, ? as reapplied
        """,
        [
            run_id, r.file, r.file_hash, r.dataset, r.sheet, r.status, r.rows_read,
            r.rows_loaded, r.rows_rejected, r.rows_warned, r.unknown_columns, r.merged_values,
            *(r.seconds[s] for s in STEPS), r.message_zh, r.message_en, r.reapplied,
        ],
    )  # fmt: skip
    record_replaced(con, run_id, r.file, r.dataset, r.replaced)


def refuse(
    con: duckdb.DuckDBPyConnection,
    run_id: int,
    file: str,
    digest: str,
    refused: FileRefused,
    jurisdiction_name: str,
    *,
    dataset: str | None = None,
) -> FileResult:
    zh, en = message(refused.code, detail=refused.detail, jurisdiction=jurisdiction_name)
    result = FileResult(file, digest, "refused", dataset, message_zh=zh, message_en=en)
    row = {
        "run_id": run_id, "file": file, "file_hash": digest, "dataset": dataset, "sheet": None,
        "row": None, "column": None, "field": None, "value": None,
        "reason_code": refused.code, "severity": "refused", "message_zh": zh, "message_en": en,
    }  # fmt: skip
    record_quarantine(con, pl.DataFrame([row], schema=QUARANTINE_SCHEMA))
    record_file(con, run_id, result)
    return result


def notes(source: Source, result: FileResult) -> tuple[str | None, str | None]:
    """What a loaded file's report line says beside its counts: sheets read and skipped,
    values carried from merged cells."""
    zh, en = [], []
    if result.reapplied:
        z, e = message("reapplied")
        zh.append(z)
        en.append(e)
    if source.sheet and (len(source.parts) > 1 or source.skipped_sheets):
        zh.append(f"已读取工作表：{source.sheet}")
        en.append(f"sheets read: '{source.sheet}'")
    for sheet, code in source.skipped_sheets:
        z, e = message(code, sheet=sheet)
        zh.append(z)
        en.append(e)
    if result.merged_values:
        z, e = message("merged_cells", count=result.merged_values)
        zh.append(z)
        en.append(e)
    return ("；".join(zh), "; ".join(en)) if zh else (None, None)


def _known_case_ids(con: duckdb.DuckDBPyConnection, batch: pl.DataFrame) -> pl.Series:
    """Of the batch's case ids, those loaded (the warehouse joins the few against the many, so
    the orphan check does not hash every loaded case for every batch)."""
    con.register("batch_case_ids", batch.select(pl.col("case_id").drop_nulls().unique()))
    try:
        return frame(
            con, "select distinct c.case_id from cases c join batch_case_ids b using (case_id)"
        ).get_column("case_id")
    finally:
        con.unregister("batch_case_ids")


def repeats_of(source: Source) -> tuple[pl.DataFrame, pl.Series]:
    """(exact repeat rows with the row they repeat, keys that occur with different contents).

    A first pass over the file in batches keeps only sheet, row number, key and a row hash,
    so the whole file is never in memory at once.
    """
    ds = source.dataset
    key = pl.concat_str([clean_text(k) for k in ds.key], separator="|")
    present = [c for c in ds.column_names if c in source.columns.values()]
    rows = pl.concat(
        [
            batch.select("_sheet", "_row", key.alias("_key"), pl.struct(present).hash().alias("_h"))
            for batch in source.batches(BATCH_ROWS)
        ]
        or [pl.DataFrame(schema=_REPEAT_SCHEMA)]
    )
    # Sort on 64-bit hashes and compare neighbours: linear memory, unlike a hash group-by,
    # which needs several times the frame for a million rows.
    sheets = {p.sheet: i for i, p in enumerate(source.parts) if p.sheet is not None}
    order = pl.col("_sheet").replace_strict(sheets, default=0, return_dtype=pl.Int32)
    rows = rows.with_columns(pl.col("_key").hash().alias("_kh"), order.alias("_order"))
    rows = rows.sort("_kh", "_h", "_order", "_row")
    same_key = pl.col("_kh") == pl.col("_kh").shift(1)
    repeat = (same_key & (pl.col("_h") == pl.col("_h").shift(1))).fill_null(False)
    rows = rows.with_columns(
        repeat.alias("_repeat"),
        pl.when(~repeat).then(pl.col("_row")).forward_fill().alias("first_row"),
        pl.when(~repeat).then(pl.col("_sheet")).forward_fill().alias("first_sheet"),
    )
    repeats = (
        rows.filter("_repeat").select("_sheet", "_row", "first_sheet", "first_row").sort("_row")
    )
    distinct = rows.filter(~pl.col("_repeat") & pl.col("_key").is_not_null())
    clash = (pl.col("_kh") == pl.col("_kh").shift(1)) | (pl.col("_kh") == pl.col("_kh").shift(-1))
    dup_keys = distinct.filter(clash.fill_null(False)).get_column("_key").unique()
    return repeats, dup_keys


_REPEAT_SCHEMA = {"_sheet": pl.String, "_row": pl.Int64, "_key": pl.String, "_h": pl.UInt64}


def load_source(
    con: duckdb.DuckDBPyConnection,
    source: Source,
    result: FileResult,
    ctx: Context,
    vocab: Vocabulary,
    secret: bytes,
    run_id: int,
    say: Callable[[str], None],
    *,
    register: bool = True,
    report_sheets: bool = True,
) -> None:
    ds = source.dataset
    t0 = time.perf_counter()
    try:
        repeats, dup_keys = repeats_of(source)
    except Exception as exc:
        raise read_failure(exc, source) from exc
    result.seconds["read"] += time.perf_counter() - t0
    ctx = replace(ctx, duplicate_keys=dup_keys)
    stage = Stage(con, ds)
    problems: list[pl.DataFrame] = []
    batches = source.batches(BATCH_ROWS)
    while True:
        t0 = time.perf_counter()
        try:
            batch = next(batches, None)
        except Exception as exc:
            stage.drop()
            raise read_failure(exc, source) from exc
        result.seconds["read"] += time.perf_counter() - t0
        if batch is None:
            break
        result.rows_read += batch.height
        batch = batch.join(repeats.select("_sheet", "_row"), on=["_sheet", "_row"], how="anti",
                           nulls_equal=True)  # fmt: skip
        t0 = time.perf_counter()
        batch = normalise(batch, ds, vocab)
        if ds.name == "services":
            ctx = replace(ctx, known_case_ids=_known_case_ids(con, batch))
        t1 = time.perf_counter()
        good, bad = validate(batch, ds.name, ctx)
        t2 = time.perf_counter()
        good = protect(good, ds, secret)
        t3 = time.perf_counter()
        stage.add(typed(good, ds, source.name, run_id))
        t4 = time.perf_counter()
        sheet = batch.get_column("_sheet").first() if batch.height else None
        problems.append(mask_values(bad).with_columns(pl.lit(sheet, pl.String).alias("sheet")))
        for step, seconds in zip(STEPS[1:], (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            result.seconds[step] += seconds
        if result.rows_read >= BATCH_ROWS:
            say(f"    … {result.rows_read:,} 行 rows")
    if result.rows_read == 0:
        stage.drop()
        raise FileRefused("no_data_rows", source.sheet or "")
    t0 = time.perf_counter()
    quarantine, result.rows_rejected = quarantine_lines(
        source, result.file_hash, problems, repeats, run_id, ctx.jurisdiction_name, vocab,
        report_sheets,
    )  # fmt: skip
    result.rows_warned = repeats.height
    result.rows_loaded = stage.rows
    if result.rows_loaded + result.rows_rejected + result.rows_warned != result.rows_read:
        # Every row read is loaded, rejected or a repeat: anything else is a defect, and the
        # file must not be recorded as loaded.
        stage.drop()
        raise FileRefused("rows_unaccounted")
    result.replaced = replaced_rows(
        con, ds, stage.table, source.name, run_id, reapplied=result.reapplied
    )
    commit_file(
        con,
        stage,
        run_id=run_id,
        file=source.name,
        file_hash=result.file_hash,
        quarantine=quarantine,
        register=register,
    )
    result.seconds["load"] += time.perf_counter() - t0
