"""The inbox: every file in it, each read into its sources (one per dataset) and loaded in
dataset order; identical files and Office lock files are skipped with a reason, unless an
administrator asked for a file to be re-applied."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from pipelines.indicators.reference import Reference
from pipelines.indicators.regions import district_resolver, jurisdiction
from pipelines.ingest.file import FileResult, load_source, notes, record_file, refuse
from pipelines.ingest.normalise import Vocabulary
from pipelines.ingest.protect import load_or_create_secret
from pipelines.ingest.read import FileRefused, Source, clear_work_dir, open_sources
from pipelines.settings import Settings
from schemas.checks import Context
from schemas.contract import LOAD_ORDER
from schemas.messages import message


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


def load_inbox(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    inbox: Path,
    run_id: int,
    today: date,
    say: Callable[[str], None],
    *,
    paths: list[Path] | None = None,
    reapply: frozenset[str] = frozenset(),
) -> tuple[list[FileResult], bool]:
    """Load every file of `inbox` (or exactly `paths`); files named in `reapply` are loaded
    even when identical content was loaded before (recorded as re-applied)."""
    reference = Reference(settings)
    juris = jurisdiction(settings.jurisdiction)
    resolver = district_resolver(juris.code, settings.reference_file("region_changes.csv"))
    vocab = Vocabulary(resolver, reference.programme_spellings)
    secret = load_or_create_secret(settings.secret_path)
    known = {r[0] for r in con.execute("select file_hash from loaded_files").fetchall()}
    clear_work_dir(settings.work_dir)

    results: list[FileResult] = []
    sources: list[tuple[Source, FileResult]] = []
    paths = inbox_files(inbox) if paths is None else sorted(paths, key=lambda p: p.name)
    for path in paths:
        digest = file_hash(path)
        reapplied = digest in known and path.name in reapply
        if digest in known and not reapplied:
            result = FileResult(path.name, digest, "skipped")
            result.message_zh, result.message_en = message("already_loaded")
            results.append(result)
            record_file(con, run_id, result)
            continue
        if path.name.startswith("~$"):
            result = FileResult(path.name, digest, "skipped")
            result.message_zh, result.message_en = message("office_lock_file")
            results.append(result)
            record_file(con, run_id, result)
            continue
        t0 = time.perf_counter()
        try:
            opened = open_sources(path, reference, settings.work_dir)
        except FileRefused as refused:
            result = refuse(con, run_id, path.name, digest, refused, juris.name)
            results.append(result)
            say(f"拒收 / refused {path.name}: {result.message_zh}")
            continue
        seconds = (time.perf_counter() - t0) / len(opened)
        for source in opened:
            result = FileResult(path.name, digest, "loaded", source.dataset.name, source.sheet)
            result.reapplied = reapplied
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
            load_source(
                con, source, result, ctx, vocab, secret, run_id, say,
                register=last_of[result.file_hash] == i,
                report_sheets=first_of[result.file_hash] == i,
            )  # fmt: skip
        except FileRefused as refused:
            results.append(
                refuse(
                    con, run_id, source.name, result.file_hash, refused, juris.name,
                    dataset=result.dataset,
                )
            )  # fmt: skip
            say(f"    拒收 / refused: {results[-1].message_zh}")
            continue
        finally:
            source.close()
        changed = True
        result.message_zh, result.message_en = notes(source, result)
        results.append(result)
        record_file(con, run_id, result)
        say(
            f"    读取 {result.rows_read:,} 行，导入 {result.rows_loaded:,}，"
            f"拒收 {result.rows_rejected:,} / read {result.rows_read:,}, "
            f"loaded {result.rows_loaded:,}, rejected {result.rows_rejected:,}"
        )
    clear_work_dir(settings.work_dir)
    order = {p.name: n for n, p in enumerate(paths)}
    results.sort(key=lambda r: order.get(r.file, 0))
    return results, changed
