"""A pipeline run: inbox → read → normalise → validate → protect → load → marts → checks →
publish.

One run at a time (a lock file); every file is applied atomically; the run is recorded with
its files, row counts and the seconds each step took.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from pipelines.indicators import checks, marts
from pipelines.indicators.reference import Reference
from pipelines.indicators.regions import district_resolver, jurisdiction
from pipelines.ingest import reports
from pipelines.ingest.load import (
    Stage,
    commit_file,
    get_state,
    record_quarantine,
    set_state,
    typed,
)
from pipelines.ingest.normalise import Vocabulary, clean_text, normalise
from pipelines.ingest.protect import load_or_create_secret, protect
from pipelines.ingest.read import FileRefused, Source, clear_work_dir, open_sources, read_failure
from pipelines.ingest.validate import validate
from pipelines.ops import locks
from pipelines.outputs import notify
from pipelines.settings import Settings
from pipelines.warehouse import snapshots
from pipelines.warehouse.db import connect_warehouse, frame, scalar
from schemas.checks import Context
from schemas.contract import LOAD_ORDER
from schemas.idnumbers import mask_id_expr, mask_name_expr
from schemas.messages import REASONS, message

# Rows per batch: memory is bounded by the batch, never by the file.
BATCH_ROWS = 100_000
STEPS = ("read", "normalise", "validate", "protect", "load")


class RunLocked(RuntimeError):
    """Another pipeline run holds the lock."""


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


@dataclass
class RunResult:
    run_id: int
    status: str
    files: list[FileResult]
    published: Path | None
    seconds: float

    def total(self, attr: str) -> int:
        return sum(getattr(f, attr) for f in self.files)

    def count(self, status: str) -> int:
        return sum(f.status == status for f in self.files)


@contextmanager
def pipeline_lock(settings: Settings) -> Iterator[None]:
    """Exclusive lock on the data directory's pipeline; released when the process dies."""
    settings.ensure_dirs()
    refused = RunLocked("另一个数据处理任务正在运行 / another pipeline run is in progress")
    with locks.exclusive(settings.lock_path, refused):
        yield


def today_in(settings: Settings) -> date:
    return datetime.now(ZoneInfo(settings.timezone)).date()


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def inbox_files(inbox: Path) -> list[Path]:
    """Every file in the inbox, in file-name order; only hidden files (an upload being
    written) are left out. Files that are not data are refused with a reason, not ignored."""
    if not inbox.exists():
        return []
    return sorted(p for p in inbox.iterdir() if p.is_file() and not p.name.startswith("."))


def run_pipeline(
    settings: Settings,
    inbox: Path | None = None,
    *,
    trigger: str = "cli",
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> RunResult:
    """Run the pipeline once over `inbox` (default: the data directory's inbox)."""
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    with pipeline_lock(settings):
        con = connect_warehouse(settings)
        try:
            run_id, interrupted = _start_run(con, trigger)
            for killed in interrupted:  # a killed run had no chance to write its report
                reports.write_run_report(con, settings, killed)
            try:
                results, publish_needed = _load_inbox(
                    con,
                    settings,
                    inbox or settings.inbox_dir,
                    run_id,
                    today or today_in(settings),
                    say,
                )
                snapshot = None
                if publish_needed or _publish_pending(con, settings):
                    say("计算指标 / computing marts")
                    marts.refresh(con, settings)
                    say("检查指标 / checking marts")
                    checks.assert_marts(con)
                    counts = notify.update(con, settings, run_id)
                    say(
                        f"进度提醒 / notifications: 新增 raised {counts['raised']}, "
                        f"持续 open {counts['kept']}, 解除 resolved {counts['resolved']}"
                    )
                    snapshot = _finish_run(
                        con, settings, run_id, results, "completed", publishing=True
                    )
                    con.close()
                    say("发布快照 / publishing snapshot")
                    t0 = time.perf_counter()
                    snapshot = snapshots.publish(settings, run_id)
                    con = connect_warehouse(settings)
                    con.execute(
                        "update runs set seconds_publish = ? where run_id = ?",
                        [time.perf_counter() - t0, run_id],
                    )
                else:
                    _finish_run(con, settings, run_id, results, "completed", publishing=False)
            except BaseException as exc:
                _fail_run(con, run_id, exc)
                with contextlib.suppress(Exception):
                    reports.write_run_report(con, settings, run_id)
                raise
            reports.write_run_report(con, settings, run_id)
        finally:
            con.close()
    return RunResult(run_id, "completed", results, snapshot, time.perf_counter() - started)


# -- run bookkeeping ---------------------------------------------------------------------------


def _start_run(con: duckdb.DuckDBPyConnection, trigger: str) -> tuple[int, list[int]]:
    """A new run's id, and the runs found still 'running': they were killed."""
    interrupted = [
        r[0] for r in con.execute("select run_id from runs where status = 'running'").fetchall()
    ]
    con.execute("update runs set status = 'interrupted' where status = 'running'")
    run_id = scalar(con, "select coalesce(max(run_id), 0) + 1 from runs")
    con.execute(
        "insert into runs (run_id, started_at, status, trigger) values (?, ?, 'running', ?)",
        [run_id, datetime.now(), trigger],
    )
    return run_id, interrupted


def _publish_pending(con: duckdb.DuckDBPyConnection, settings: Settings) -> bool:
    """True when the warehouse holds data the published snapshot does not (e.g. a crash)."""
    pointer = snapshots.published(settings)
    snapshot_run = get_state(con, "snapshot_run")
    has_data = scalar(con, "select count(*) from loaded_files") > 0
    if pointer is None:
        return has_data
    return (
        get_state(con, "changed") == "true"
        or str(pointer["run_id"]) != snapshot_run
        or get_state(con, "reference_hash") != reference_hash(settings)
    )


def reference_hash(settings: Settings) -> str:
    """A hash of the reference files in use: a changed target republishes the marts."""
    digest = hashlib.sha256()
    for name in ("programmes.csv", "indicators.csv", "targets.csv"):
        digest.update(settings.reference_file(name).read_bytes())
    return digest.hexdigest()


def _finish_run(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    run_id: int,
    results: list[FileResult],
    status: str,
    *,
    publishing: bool,
) -> None:
    con.execute("begin transaction")
    con.execute(
        """
        update runs set
            finished_at = ?, status = ?, files_seen = ?, files_loaded = ?, files_skipped = ?,
            files_refused = ?, rows_read = ?, rows_loaded = ?, rows_rejected = ?, rows_warned = ?,
            published_snapshot = ?
        where run_id = ?
        """,
        [
            datetime.now(),
            status,
            len(results),
            sum(r.status == "loaded" for r in results),
            sum(r.status == "skipped" for r in results),
            sum(r.status == "refused" for r in results),
            sum(r.rows_read for r in results),
            sum(r.rows_loaded for r in results),
            sum(r.rows_rejected for r in results),
            sum(r.rows_warned for r in results),
            f"run-{run_id:06d}.duckdb" if publishing else None,
            run_id,
        ],
    )
    if publishing:
        set_state(con, "changed", "false")
        set_state(con, "snapshot_run", str(run_id))
        set_state(con, "reference_hash", reference_hash(settings))
    con.execute("commit")
    con.execute("checkpoint")


def _fail_run(con: duckdb.DuckDBPyConnection, run_id: int, exc: BaseException) -> None:
    with contextlib.suppress(duckdb.Error):
        con.execute("rollback")
    # If the database itself is the problem the run stays 'running' → 'interrupted' later.
    with contextlib.suppress(duckdb.Error):
        con.execute(
            "update runs set status = 'failed', finished_at = ?, error = ? where run_id = ?",
            [datetime.now(), f"{type(exc).__name__}: {exc}"[:500], run_id],
        )


def _record_file(con: duckdb.DuckDBPyConnection, run_id: int, r: FileResult) -> None:
    con.execute(
        """
        insert into run_files by name select
            ? as run_id, ? as file, ? as file_hash, ? as dataset, ? as sheet, ? as status,
            ? as rows_read, ? as rows_loaded, ? as rows_rejected, ? as rows_warned,
            ? as unknown_columns, ? as merged_values, ? as seconds_read, ? as seconds_normalise,
            ? as seconds_validate, ? as seconds_protect, ? as seconds_load, ? as message_zh,
            ? as message_en
        """,
        [
            run_id, r.file, r.file_hash, r.dataset, r.sheet, r.status, r.rows_read,
            r.rows_loaded, r.rows_rejected, r.rows_warned, r.unknown_columns, r.merged_values,
            *(r.seconds[s] for s in STEPS), r.message_zh, r.message_en,
        ],
    )  # fmt: skip


# -- loading -----------------------------------------------------------------------------------


def _load_inbox(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    inbox: Path,
    run_id: int,
    today: date,
    say: Callable[[str], None],
) -> tuple[list[FileResult], bool]:
    reference = Reference(settings)
    juris = jurisdiction(settings.jurisdiction)
    resolver = district_resolver(juris.code, settings.reference_file("region_changes.csv"))
    vocab = Vocabulary(resolver, reference.programme_spellings)
    secret = load_or_create_secret(settings.secret_path)
    known = {r[0] for r in con.execute("select file_hash from loaded_files").fetchall()}
    clear_work_dir(settings.work_dir)

    results: list[FileResult] = []
    sources: list[tuple[Source, FileResult]] = []
    paths = inbox_files(inbox)
    for path in paths:
        digest = file_hash(path)
        if digest in known:
            result = FileResult(path.name, digest, "skipped")
            result.message_zh, result.message_en = (
                "内容相同的文件已导入过，跳过",
                "identical file already loaded; skipped",
            )
            results.append(result)
            _record_file(con, run_id, result)
            continue
        if path.name.startswith("~$"):
            result = FileResult(path.name, digest, "skipped")
            result.message_zh, result.message_en = message("office_lock_file")
            results.append(result)
            _record_file(con, run_id, result)
            continue
        t0 = time.perf_counter()
        try:
            opened = open_sources(path, reference, settings.work_dir)
        except FileRefused as refused:
            result = _refused(con, run_id, path.name, digest, refused, juris.name)
            results.append(result)
            say(f"拒收 / refused {path.name}: {result.message_zh}")
            continue
        seconds = (time.perf_counter() - t0) / len(opened)
        for source in opened:
            result = FileResult(path.name, digest, "loaded", source.dataset.name, source.sheet)
            result.unknown_columns = source.unknown_columns
            result.merged_values = source.merged_values
            result.seconds["read"] += seconds
            sources.append((source, result))
        known.add(digest)  # the same content twice in one inbox is loaded once

    sources.sort(key=lambda s: (LOAD_ORDER.index(s[1].dataset), s[0].name))
    # A file is registered as loaded with its last dataset, so a run killed between two
    # datasets of one workbook reads the whole workbook again.
    last_of = {r.file_hash: i for i, (_, r) in enumerate(sources)}
    first_of = {r.file_hash: i for i, (_, r) in reversed(list(enumerate(sources)))}
    changed = False
    for i, (source, result) in enumerate(sources):
        say(f"[{i + 1}/{len(sources)}] {source.name} ({source.dataset.label_zh})")
        try:
            ctx = Context(
                today=today,
                district_codes=juris.codes,
                jurisdiction_name=juris.name,
                programme_codes=frozenset(reference.programmes),
                ambiguous_districts=vocab.resolver.ambiguous,
                known_case_ids=pl.Series([], dtype=pl.String),
            )
            _load_source(
                con, source, result, ctx, vocab, secret, run_id, say,
                register=last_of[result.file_hash] == i,
                report_sheets=first_of[result.file_hash] == i,
            )  # fmt: skip
        except FileRefused as refused:
            results.append(
                _refused(
                    con, run_id, source.name, result.file_hash, refused, juris.name,
                    dataset=result.dataset,
                )
            )  # fmt: skip
            say(f"    拒收 / refused: {results[-1].message_zh}")
            continue
        finally:
            source.close()
        changed = True
        result.message_zh, result.message_en = _notes(source, result)
        results.append(result)
        _record_file(con, run_id, result)
        say(
            f"    读取 {result.rows_read:,} 行，导入 {result.rows_loaded:,}，"
            f"拒收 {result.rows_rejected:,} / read {result.rows_read:,}, "
            f"loaded {result.rows_loaded:,}, rejected {result.rows_rejected:,}"
        )
    clear_work_dir(settings.work_dir)
    order = {p.name: n for n, p in enumerate(paths)}
    results.sort(key=lambda r: order.get(r.file, 0))
    return results, changed


def _notes(source: Source, result: FileResult) -> tuple[str | None, str | None]:
    """What a loaded file's report line says beside its counts: sheets read and skipped,
    values carried from merged cells."""
    zh, en = [], []
    if source.sheet and (len(source.parts) > 1 or source.skipped_sheets):
        zh.append(f"已读取工作表：{source.sheet}")
        en.append(f"sheets read: {source.sheet}")
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


def _refused(
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
    record_quarantine(con, pl.DataFrame([row], schema=_QUARANTINE_SCHEMA))
    _record_file(con, run_id, result)
    return result


_QUARANTINE_SCHEMA = {
    "run_id": pl.Int64, "file": pl.String, "file_hash": pl.String, "dataset": pl.String,
    "sheet": pl.String, "row": pl.Int64, "column": pl.String, "field": pl.String,
    "value": pl.String, "reason_code": pl.String, "severity": pl.String,
    "message_zh": pl.String, "message_en": pl.String,
}  # fmt: skip


def _repeats(source: Source) -> tuple[pl.DataFrame, pl.Series]:
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


def _load_source(
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
        repeats, dup_keys = _repeats(source)
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
        stage.add(typed(good, ds, source.name))
        t4 = time.perf_counter()
        sheet = batch.get_column("_sheet").first() if batch.height else None
        problems.append(_mask_values(bad).with_columns(pl.lit(sheet, pl.String).alias("sheet")))
        for step, seconds in zip(STEPS[1:], (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            result.seconds[step] += seconds
        if result.rows_read >= BATCH_ROWS:
            say(f"    … {result.rows_read:,} 行 rows")
    if result.rows_read == 0:
        stage.drop()
        raise FileRefused("no_data_rows", source.sheet or "")
    t0 = time.perf_counter()
    quarantine = _quarantine(
        source, result, problems, repeats, run_id, ctx.jurisdiction_name, vocab, report_sheets
    )
    result.rows_loaded = stage.rows
    if result.rows_loaded + result.rows_rejected + result.rows_warned != result.rows_read:
        # Every row read is loaded, rejected or a repeat: anything else is a defect, and the
        # file must not be recorded as loaded.
        stage.drop()
        raise FileRefused("rows_unaccounted")
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


def _mask_values(problems: pl.DataFrame) -> pl.DataFrame:
    """Personal values appear in the quarantine only masked."""
    value = pl.col("value")
    return problems.with_columns(
        pl.when(pl.col("column").is_in(["id_number", "certificate_no"]))
        .then(mask_id_expr(value))
        .when(pl.col("column") == "name")
        .then(mask_name_expr(value))
        .otherwise(value)
        .alias("value")
    )


def _quarantine(
    source: Source,
    result: FileResult,
    problems: list[pl.DataFrame],
    repeats: pl.DataFrame,
    run_id: int,
    jurisdiction_name: str,
    vocab: Vocabulary,
    report_sheets: bool,
) -> pl.DataFrame:
    """Problems and warnings of one file as quarantine lines with both messages."""
    ds = source.dataset
    header_of = {canonical: header for header, canonical in source.columns.items()}
    if "district_code" not in header_of and "district" in header_of:
        header_of["district_code"] = header_of["district"]
    rejected = pl.concat(problems) if problems else pl.DataFrame()
    lines = []
    for row in rejected.iter_rows(named=True) if rejected.height else []:
        col = row["column"]
        shown = header_of.get(col) or (ds.column(col).label_zh if col in ds.column_names else col)
        zh, en = message(
            row["reason_code"],
            column=shown,
            label=shown,
            jurisdiction=jurisdiction_name,
            value=row["value"],
            candidates="、".join(vocab.resolver.candidates(row["value"]))
            if row["reason_code"] == "district_ambiguous"
            else "",
        )
        lines.append(
            (row["sheet"], row["row"], shown, col, row["value"],
             row["reason_code"], zh, en)
        )  # fmt: skip
    result.rows_rejected = (
        rejected.select(pl.struct("sheet", "row").n_unique()).item() if rejected.height else 0
    )
    for sheet, row, first_sheet, first_row in repeats.iter_rows():
        where = sheet != first_sheet and first_sheet is not None
        zh, en = message(
            "duplicate_exact",
            first_row=first_row,
            first_sheet=f"工作表“{first_sheet}”" if where else "",
            first_sheet_en=f" of sheet '{first_sheet}'" if where else "",
        )
        lines.append((sheet, row, None, None, None, "duplicate_exact", zh, en))
    for part in source.parts:
        for header in part.unknown_columns:
            zh, en = message("unknown_column", column=header)
            lines.append(
                (part.sheet, part.header_row, header, None, None, "unknown_column", zh, en)
            )
    for sheet, code in source.skipped_sheets if report_sheets else []:
        zh, en = message(code, sheet=sheet)
        lines.append((sheet, None, None, None, None, code, zh, en))
    result.rows_warned = repeats.height
    frame = pl.DataFrame(
        lines,
        schema={
            "sheet": pl.String, "row": pl.Int64, "column": pl.String, "field": pl.String,
            "value": pl.String, "reason_code": pl.String, "message_zh": pl.String,
            "message_en": pl.String,
        },
        orient="row",
    )  # fmt: skip
    return frame.with_columns(
        pl.lit(run_id, dtype=pl.Int64).alias("run_id"),
        pl.lit(source.name).alias("file"),
        pl.lit(result.file_hash).alias("file_hash"),
        pl.lit(ds.name).alias("dataset"),
        pl.col("reason_code")
        .replace_strict({code: r.severity for code, r in REASONS.items()}, return_dtype=pl.String)
        .alias("severity"),
    ).select(list(_QUARANTINE_SCHEMA))
