"""Read: open a CSV, Excel or Parquet file as text columns with canonical names.

The header row is found by matching known column names (title, blank and merged rows above
it are skipped); the sheet is picked by its header, not its position; blank rows and footer
rows (合计, 填表人 …) are dropped. Every row keeps the number a spreadsheet program shows.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import polars as pl

from pipelines.reference import Reference, clean_header
from schemas.contract import DATASETS, Dataset
from schemas.vocab import FOOTER_MARKERS

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
SUPPORTED_SUFFIXES = CSV_SUFFIXES | EXCEL_SUFFIXES | PARQUET_SUFFIXES
HEADER_SCAN_ROWS = 30
_FOOTER = "^(" + "|".join(re.escape(m) for m in FOOTER_MARKERS) + ")"


class FileRefused(Exception):
    """The whole file cannot be used; `code` is a reason code of schemas.messages."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass
class Source:
    """One readable table of a file, recognised as a dataset."""

    path: Path
    dataset: Dataset
    sheet: str | None
    header_row: int  # 1-based row of the header as a spreadsheet shows it
    columns: dict[str, str]  # header as written → canonical column
    unknown_columns: list[str]
    _frame: pl.LazyFrame
    _temp: Path | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.path.name

    def lazy(self) -> pl.LazyFrame:
        """Canonical text columns plus `_row`, without blank and footer rows."""
        return self._frame

    def batches(self, rows: int) -> Iterator[pl.DataFrame]:
        """The data in batches of at most `rows` rows, so a big file is never held twice."""
        yield from self._frame.collect_batches(chunk_size=rows)

    def close(self) -> None:
        if self._temp is not None:
            self._temp.unlink(missing_ok=True)
            self._temp = None


def open_source(path: Path, reference: Reference) -> Source:
    """Recognise `path` and return its table, or raise FileRefused with the reason."""
    suffix = path.suffix.lower()
    try:
        if suffix in CSV_SUFFIXES:
            return _open_csv(path, reference)
        if suffix in EXCEL_SUFFIXES:
            return _open_excel(path, reference)
        if suffix in PARQUET_SUFFIXES:
            return _open_parquet(path, reference)
    except FileRefused:
        raise
    except Exception as exc:  # any reader failure means the file cannot be read
        raise FileRefused("file_unreadable", _short_error(exc)) from exc
    raise FileRefused("file_unreadable", f"不支持的文件类型 / unsupported file type {suffix}")


def _short_error(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


# -- header recognition ------------------------------------------------------------------------


def _match(headers: list[str | None], dataset: Dataset, reference: Reference) -> dict[int, str]:
    """Position → canonical column for the headers this dataset knows (first one wins)."""
    aliases = reference.aliases(dataset.name)
    found: dict[int, str] = {}
    taken: set[str] = set()
    for i, h in enumerate(headers):
        if h is None:
            continue
        column = aliases.get(clean_header(h))
        if column and column not in taken:
            found[i] = column
            taken.add(column)
    return found


def _prefix_dataset(file_name: str) -> str | None:
    stem = re.sub(r"^[\d\s._\-]+", "", Path(file_name).stem).lower()
    for name, ds in DATASETS.items():
        if any(stem.startswith(p.lower()) for p in ds.prefixes):
            return name
    return None


def _recognise(
    rows: list[list[str | None]], file_name: str, reference: Reference
) -> tuple[int, Dataset, dict[int, str]] | None:
    """(header row index, dataset, matched columns) for the best header among `rows`."""
    hinted = _prefix_dataset(file_name)
    best = None
    for idx, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        for name, ds in DATASETS.items():
            matched = _match(row, ds, reference)
            if not set(ds.key) <= set(matched.values()):
                continue
            score = (len(matched), name == hinted)
            if best is None or score > best[0]:
                best = (score, idx, ds, matched)
        if best is not None and best[1] == idx and hinted and best[2].name == hinted:
            break  # the first header row that fits the file-name hint is the header
    if best is None:
        return None
    return best[1], best[2], best[3]


def _columns(headers: list[str], matched: dict[int, str]) -> tuple[dict[str, str], list[str]]:
    columns = {headers[i]: c for i, c in matched.items()}
    unknown = [
        h
        for i, h in enumerate(headers)
        if i not in matched and h and not h.startswith("__UNNAMED__") and clean_header(h)
    ]
    return columns, unknown


def _finish(
    frame: pl.LazyFrame, dataset: Dataset, columns: dict[str, str], first_row: int
) -> pl.LazyFrame:
    """Number rows, drop blank and footer rows, keep canonical columns in contract order."""
    present = list(columns)
    frame = frame.select(present).with_row_index("_row", offset=first_row)
    frame = frame.with_columns(pl.col("_row").cast(pl.Int64))
    cells = [pl.col(c).str.strip_chars() for c in present]
    first_cell = pl.coalesce([pl.when(c != "").then(c) for c in cells])
    keep = first_cell.is_not_null() & ~first_cell.str.contains(_FOOTER).fill_null(False)
    frame = frame.filter(keep).rename(columns)
    missing = [c for c in dataset.column_names if c not in columns.values()]
    return frame.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in missing).select(
        "_row", *dataset.column_names
    )


# -- CSV ---------------------------------------------------------------------------------------


def _encoding(path: Path) -> str:
    head = path.open("rb").read(1 << 16)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the 64 KB window is still UTF-8.
        if exc.start < len(head) - 4:
            return "gb18030"
    return "utf-8"


def _transcode(path: Path, encoding: str) -> Path:
    """Stream a GB18030 file into a temporary UTF-8 file outside the data directory."""
    fd, name = tempfile.mkstemp(suffix=".csv", prefix="rehab-")
    try:
        with (
            os.fdopen(fd, "w", encoding="utf-8", newline="") as out,
            path.open(encoding=encoding, errors="strict", newline="") as src,
        ):
            while chunk := src.read(1 << 20):
                out.write(chunk)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def _open_csv(path: Path, reference: Reference) -> Source:
    encoding = _encoding(path)
    temp = _transcode(path, encoding) if encoding == "gb18030" else None
    text_path = temp or path
    try:
        with text_path.open(encoding="utf-8-sig", newline="") as f:
            head = [line for _, line in zip(range(HEADER_SCAN_ROWS), f, strict=False)]
        separator = "\t" if path.suffix.lower() == ".tsv" else ","
        rows = [
            [c or None for c in r]
            for r in csv.reader(io.StringIO("".join(head)), delimiter=separator)
        ]
        found = _recognise(rows, path.name, reference)
        if found is None:
            raise FileRefused("no_key_column")
        idx, dataset, matched = found
        # csv.reader rows equal physical lines here (header zone has no multi-line cells).
        frame = pl.scan_csv(
            text_path,
            skip_lines=idx,
            infer_schema=False,
            separator=separator,
            truncate_ragged_lines=True,
            encoding="utf8",
        )
        headers = frame.collect_schema().names()
        columns, unknown = _columns(headers, {i: c for i, c in matched.items() if i < len(headers)})
        return Source(
            path=path,
            dataset=dataset,
            sheet=None,
            header_row=idx + 1,
            columns=columns,
            unknown_columns=unknown,
            _frame=_finish(frame, dataset, columns, first_row=idx + 2),
            _temp=temp,
        )
    except BaseException:
        if temp is not None:
            temp.unlink(missing_ok=True)
        raise


# -- Excel -------------------------------------------------------------------------------------


def _open_excel(path: Path, reference: Reference) -> Source:
    reader = fastexcel.read_excel(path)
    best = None
    for sheet_name in reader.sheet_names:
        head = reader.load_sheet(
            sheet_name, header_row=None, n_rows=HEADER_SCAN_ROWS, dtypes="string"
        ).to_polars()
        rows = [list(r) for r in head.iter_rows()]
        found = _recognise(rows, path.name, reference)
        if found and (best is None or len(found[2]) > len(best[1][2])):
            best = (sheet_name, found)
    if best is None:
        raise FileRefused("no_key_column")
    sheet_name, (idx, dataset, _) = best
    df = reader.load_sheet(sheet_name, header_row=idx, dtypes="string").to_polars()
    headers = df.columns
    matched = _match(headers, dataset, reference)
    columns, unknown = _columns(headers, matched)
    return Source(
        path=path,
        dataset=dataset,
        sheet=sheet_name,
        header_row=idx + 1,
        columns=columns,
        unknown_columns=unknown,
        _frame=_finish(df.lazy(), dataset, columns, first_row=idx + 2),
    )


# -- Parquet -----------------------------------------------------------------------------------


def _open_parquet(path: Path, reference: Reference) -> Source:
    frame = pl.scan_parquet(path)
    headers = frame.collect_schema().names()
    found = _recognise([headers], path.name, reference)
    if found is None:
        raise FileRefused("no_key_column")
    _, dataset, matched = found
    columns, unknown = _columns(headers, matched)
    frame = frame.with_columns(pl.col(h).cast(pl.String) for h in columns)
    return Source(
        path=path,
        dataset=dataset,
        sheet=None,
        header_row=1,
        columns=columns,
        unknown_columns=unknown,
        _frame=_finish(frame, dataset, columns, first_row=2),
    )
