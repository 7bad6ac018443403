"""Read: open a CSV, Excel or Parquet file as text columns with canonical names.

A file is read as a spreadsheet program shows it. The header is found wherever it stands
(any row and column, title and blank rows above it, one to three header rows with group
titles merged across and headers merged down); every sheet whose header is recognised is
read, the other sheets are listed with the reason they were skipped; a value merged down
over several data rows belongs to each of them. Blank rows, repeated header rows, column
number rows (1, 2, 3 …) and footer rows (合计, 填表人 …) are not data. Every row keeps the
number the spreadsheet program shows, on its own sheet.

Every failure to read a file is a `FileRefused` with a reason code of schemas.messages; a
library's own message is logged, never shown to the user as the reason.
"""

from __future__ import annotations

import codecs
import csv
import logging
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

import polars as pl
import python_calamine

from pipelines.indicators.reference import Reference, clean_header
from schemas.contract import DATASETS, LOAD_ORDER, Dataset
from schemas.vocab import FOOTER_ANYWHERE, FOOTER_MARKERS, IGNORED_HEADERS

log = logging.getLogger(__name__)

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".et"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
SUPPORTED_SUFFIXES = CSV_SUFFIXES | EXCEL_SUFFIXES | PARQUET_SUFFIXES
HEADER_SCAN_ROWS = 30  # rows searched for the header, from the first used row
HEADER_MAX_ROWS = 3  # rows a header block may span (group titles above column names)
_FOOTER = "^(" + "|".join(re.escape(m) for m in FOOTER_MARKERS) + ")"
_FOOTER_ANYWHERE = "^(" + "|".join(re.escape(m) for m in FOOTER_ANYWHERE) + ")"
# A number a spreadsheet keeps exactly: 15 significant digits (IEEE double as Excel shows it).
_EXACT_DIGITS = 15


class FileRefused(Exception):
    """The whole file cannot be used; `code` is a reason code of schemas.messages."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass
class Part:
    """One sheet of a source (a CSV file is one part without a sheet name)."""

    sheet: str | None
    header_row: int  # 1-based row of the (last) header row as the spreadsheet shows it
    columns: dict[str, str]  # header as written → canonical column
    unknown_columns: list[str]
    frame: pl.LazyFrame  # `_sheet`, `_row` and the dataset's canonical columns
    merged_values: int = 0  # values carried from merged cells into data rows


@dataclass
class Source:
    """The rows of one dataset in one file: one or several sheets recognised as that dataset."""

    path: Path
    dataset: Dataset
    parts: list[Part]
    skipped_sheets: list[tuple[str, str]] = field(default_factory=list)  # (sheet, reason code)
    _temp: Path | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def sheet(self) -> str | None:
        names = [p.sheet for p in self.parts if p.sheet is not None]
        return "、".join(names) if names else None

    @property
    def header_row(self) -> int:
        return self.parts[0].header_row

    @property
    def columns(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for part in self.parts:
            out.update(part.columns)
        return out

    @property
    def unknown_columns(self) -> list[str]:
        return list(dict.fromkeys(h for p in self.parts for h in p.unknown_columns))

    @property
    def merged_values(self) -> int:
        return sum(p.merged_values for p in self.parts)

    def lazy(self) -> pl.LazyFrame:
        """Canonical text columns plus `_sheet` and `_row`, without rows that are not data."""
        return pl.concat([p.frame for p in self.parts], how="vertical")

    def batches(self, rows: int) -> Iterator[pl.DataFrame]:
        """The data in batches of at most `rows` rows, so a big file is never held twice."""
        for part in self.parts:
            yield from part.frame.collect_batches(chunk_size=rows)

    def close(self) -> None:
        if self._temp is not None:
            self._temp.unlink(missing_ok=True)
            self._temp = None


def open_sources(path: Path, reference: Reference, work_dir: Path) -> list[Source]:
    """The datasets found in `path` (in load order), or FileRefused with the reason.

    `work_dir` holds a transcoded copy of a CSV that is not UTF-8 while it is read (inside the
    inbox area, owner-only, removed by `Source.close`).
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise FileRefused("file_type_unsupported", suffix or path.name)
    if path.stat().st_size == 0:
        raise FileRefused("file_empty")
    _within_limits(path, suffix, reference.settings)
    try:
        if suffix in CSV_SUFFIXES:
            sources = [_open_csv(path, reference, work_dir)]
        elif suffix in EXCEL_SUFFIXES:
            sources = _open_workbook(path, reference)
        else:
            sources = [_open_parquet(path, reference)]
    except FileRefused:
        raise
    except Exception as exc:  # any other reader failure: the file cannot be read
        log.warning("cannot read %s: %s: %s", path.name, type(exc).__name__, exc)
        code = "file_wps_et" if suffix == ".et" else "file_unreadable"
        raise FileRefused(code, suffix) from exc
    return sorted(sources, key=lambda s: LOAD_ORDER.index(s.dataset.name))


# A spreadsheet's parts compress about 5–15 times; a zip bomb hundreds of times.
MAX_COMPRESSION_RATIO = 100
# Longer than any row a district sends (a million columns is an attack, not a table).
MAX_LINE_BYTES = 256 * 1024
# The most columns a spreadsheet program has (Excel's XFD).
MAX_COLUMNS = 16_384
# A CSV is read in stretches of this many bytes; in one of them, more than DENSE_LINES lines
# averaging under a quarter of a byte per header column are not rows of a table but empty lines,
# each of which would cost a whole row of cells in memory (50 MB of blank lines: gigabytes).
STRETCH_BYTES = MAX_LINE_BYTES
DENSE_LINES = 10_000
MIN_BYTES_PER_COLUMN = 0.25


def _within_limits(path: Path, suffix: str, settings) -> None:
    """Refuse, before reading, a workbook whose unpacked size passes the limit
    (REHAB_MONITOR_MAX_UNPACKED_MB) or that unpacks far more than spreadsheets do: reading it
    would take memory without bound."""
    if suffix in EXCEL_SUFFIXES and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(i.file_size for i in archive.infolist())
        packed = max(path.stat().st_size, 1)
        limit = settings.max_unpacked_mb * 1024 * 1024
        if unpacked > limit or (
            unpacked > 50 * 1024 * 1024 and unpacked / packed > MAX_COMPRESSION_RATIO
        ):
            raise FileRefused("file_too_large", f"{unpacked / 1024 / 1024:,.0f} MB unpacked")
        _sheet_extents(path, settings.max_sheet_cells)


# Where cells and rows of an .xlsx worksheet part say they stand: <c … r="XFD1048576" …>,
# <row … r="1048576" …>; a cell or row without r follows the one before it.
_CELL_REF = r'<c\s[^>]*?\br="[A-Z]{1,3}[0-9]{1,7}"'
_ROW_REF = r'<row\s[^>]*?\br="[0-9]{1,7}"'
_CELL_TAG = r"<c[\s>/]"
_ROW_TAG = r"<row[\s>/]"


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class _Extent:
    """The farthest row and column a worksheet part reaches, as the reader places its cells."""

    rows: int = 0
    column: str = "A"
    unnumbered_rows: int = 0
    widest_unnumbered: int = 0  # most cells without r in one row
    open_row: int = 0  # cells without r in the row still open at the end of the last text

    def add(self, texts: list[str]) -> None:
        """Take in consecutive pieces of the part, each ending before a tag (polars matches them
        in parallel: five times faster than Python's re on a big sheet)."""
        pieces = pl.Series(texts, dtype=pl.String)
        cells = pieces.str.extract_all(_CELL_REF).explode().drop_nulls()
        rows = pieces.str.extract_all(_ROW_REF).explode().drop_nulls()
        numbers = pl.concat([cells, rows]).str.extract(r'"([0-9]+)"$').cast(pl.Int64).max()
        self.rows = max(self.rows, numbers or 0)
        letters = cells.str.extract(r'\br="([A-Z]+)').unique().to_list()
        self.column = max([self.column, *letters], key=lambda c: (len(c), c))
        self.unnumbered_rows += pieces.str.count_matches(_ROW_TAG).sum() - rows.len()
        if pieces.str.count_matches(_CELL_TAG).sum() > cells.len():  # rare: cells without r
            for text in texts:
                self._unnumbered_cells(text)
        elif any("</row>" in t for t in texts):
            self.open_row = 0

    def _unnumbered_cells(self, text: str) -> None:
        counts = [
            len(re.findall(_CELL_TAG, row)) - len(re.findall(_CELL_REF, row))
            for row in re.split(_ROW_TAG, text)
        ]
        counts[0] += self.open_row
        self.widest_unnumbered = max(self.widest_unnumbered, *counts)
        self.open_row = counts[-1] if "</row>" not in text.rsplit("<row", 1)[-1] else 0

    @property
    def columns(self) -> int:
        return _column_number(self.column) + self.widest_unnumbered

    @property
    def cells(self) -> int:
        return (self.rows + self.unnumbered_rows) * self.columns

    @property
    def area(self) -> str:
        return f"A1:{_column_letters(self.columns)}{self.rows + self.unnumbered_rows}"


def _pieces(part, size: int = 1 << 20, batch: int = 16) -> Iterator[list[str]]:
    """A worksheet part as text in pieces of about `size` bytes cut before a tag, `batch` at a
    time."""
    texts: list[str] = []
    tail = b""
    while chunk := part.read(size):
        text = tail + chunk
        cut = text.rfind(b"<")
        texts.append(text[:cut].decode("utf-8", errors="replace"))
        tail = text[cut:]
        if len(texts) == batch:
            yield texts
            texts = []
    yield [*texts, tail.decode("utf-8", errors="replace")]


def _sheet_extents(path: Path, max_cells: int) -> None:
    """Refuse an .xlsx/.xlsm whose worksheet reaches a cell so far from A1 that the reader would
    hold the whole area (rows × columns, empty cells included) in memory: a few KB naming a
    cell at XFD1048576 would ask for 17 billion cells and end the process. The worksheet parts
    are streamed, never held whole."""
    with zipfile.ZipFile(path) as archive:
        parts = [
            i
            for i in archive.infolist()
            if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")
        ]
        for info in parts:
            extent = _Extent()
            with archive.open(info) as part:
                for texts in _pieces(part):
                    extent.add(texts)
            if extent.cells > max_cells:
                raise FileRefused("file_too_large", extent.area)


@dataclass(frozen=True)
class LineScan:
    """What one streaming pass over a UTF-8 text file found: its stretches of many lines."""

    dense: list[tuple[int, float]]  # (1-based first line, lines per byte) of each stretch
    # holding over DENSE_LINES lines, in file order


def _scan_lines(path: Path) -> LineScan:
    """One pass over the file in stretches of STRETCH_BYTES, in constant memory; a line longer
    than MAX_LINE_BYTES is refused (a line inside a stretch is shorter than the stretch, so
    only lines running across stretches are measured)."""
    dense: list[tuple[int, float]] = []
    lines = 0  # newlines before the current stretch
    run = 0  # bytes since the last newline
    with path.open("rb") as f:
        while block := f.read(STRETCH_BYTES):
            first = block.find(b"\n")
            if first < 0:
                run += len(block)
            else:
                run += first
            if run > MAX_LINE_BYTES:
                raise FileRefused("file_line_too_long", f"{lines + 1:,}")
            if first < 0:
                continue
            count = block.count(b"\n")
            if count > DENSE_LINES:
                dense.append((lines + 1, count / len(block)))
            lines += count
            run = len(block) - block.rfind(b"\n") - 1
    return LineScan(dense)


def _dense_lines(scan: LineScan, width: int) -> None:
    """Refuse a CSV with a stretch of far more lines than rows `width` columns wide fill."""
    for line, density in scan.dense:
        if density * max(width, 8) * MIN_BYTES_PER_COLUMN > 1:
            raise FileRefused("file_blank_lines", f"{line:,}")


def read_failure(exc: Exception, source: Source) -> FileRefused:
    """A failure while reading the rows of an opened source, as a refusal with our reason."""
    log.warning("cannot read %s: %s: %s", source.name, type(exc).__name__, exc)
    if "utf-8" in str(exc).lower() or "utf8" in str(exc).lower():
        return FileRefused("file_encoding")
    return FileRefused("file_unreadable", source.path.suffix.lower())


# -- header recognition ------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """A recognised header block: its rows (0-based, in the rows given), columns, dataset."""

    top: int
    bottom: int
    dataset: Dataset
    matched: dict[int, str]  # column position → canonical column
    titles: dict[int, str]  # column position → header text as written (all header rows)


def _prefix_dataset(file_name: str) -> str | None:
    stem = re.sub(r"^[\d\s._\-]+", "", Path(file_name).stem).lower()
    for name, ds in DATASETS.items():
        if any(stem.startswith(p.lower()) for p in ds.prefixes):
            return name
    return None


_DATA_LIKE = re.compile(r"^\d[\d\s\-/.:年月日]{5,}$")


def _looks_like_data(row: list[str | None]) -> bool:
    """A row with a long number or a date in it is data, not a header row."""
    return any(v is not None and _DATA_LIKE.match(v) for v in row)


def _block(
    rows: list[list[str | None]], top: int, height: int, ds: Dataset, reference: Reference
) -> Header | None:
    """The header block rows[top:top+height] read as dataset `ds`, or None if it is not one.

    A column's name is the lowest cell of the block that is a known header (group titles
    above it are ignored); every row of a multi-row block must name at least one column.
    """
    aliases = reference.aliases(ds.name)
    block = rows[top : top + height]
    width = max(len(r) for r in block)
    matched: dict[int, str] = {}
    titles: dict[int, str] = {}
    naming_rows: set[int] = set()
    for c in range(width):
        cells = [r[c] if c < len(r) else None for r in block]
        written = [v for v in dict.fromkeys(cells) if v]
        if written:
            titles[c] = "/".join(written)
        for level in range(height - 1, -1, -1):
            value = cells[level]
            column = aliases.get(clean_header(value)) if value else None
            if column:
                if column not in matched.values():
                    matched[c] = column
                    titles[c] = value
                    naming_rows.add(level)
                break
    if not set(ds.key) <= set(matched.values()):
        return None
    if height > 1 and (len(naming_rows) < height or any(_looks_like_data(r) for r in block)):
        return None
    return Header(top, top + height - 1, ds, matched, titles)


def _recognise(rows: list[list[str | None]], file_name: str, reference: Reference) -> Header | None:
    """The best header block among the first rows: most columns named, then the dataset the
    file name suggests, then the fewest header rows, then the first."""
    hinted = _prefix_dataset(file_name)
    best: tuple[tuple, Header] | None = None
    scan = rows[:HEADER_SCAN_ROWS]
    for top in range(len(scan)):
        if not any(scan[top]):
            continue
        for height in range(1, HEADER_MAX_ROWS + 1):
            if top + height > len(scan):
                break
            for name, ds in DATASETS.items():
                header = _block(scan, top, height, ds, reference)
                if header is None:
                    continue
                score = (len(header.matched), name == hinted, -height, -top)
                if best is None or score > best[0]:
                    best = (score, header)
    return best[1] if best else None


def _column_number_row(row: list[str | None]) -> bool:
    """The row of column numbers under a printed form's header: 1, 2, 3 … (or (1), ①)."""
    values = [re.sub(r"^[(（]?(\d+)[)）]?$", r"\1", v.strip()) for v in row if v and v.strip()]
    return len(values) >= 3 and values == [str(i) for i in range(1, len(values) + 1)]


def _data_start(rows: list[list[str | None]], header: Header) -> int:
    start = header.bottom + 1
    if start < len(rows) and _column_number_row(rows[start]):
        start += 1
    return start


def _columns(header: Header) -> tuple[dict[str, str], list[str]]:
    columns = {header.titles[i]: c for i, c in header.matched.items()}
    unknown = [
        t
        for i, t in sorted(header.titles.items())
        if i not in header.matched
        and clean_header(t)
        and clean_header(t) not in IGNORED_HEADERS
        and not t.startswith("__UNNAMED__")
    ]
    return columns, unknown


def _finish(
    frame: pl.LazyFrame,
    header: Header,
    sheet: str | None,
    first_row: int,
    *,
    unwrap_formula_text: bool = False,
) -> pl.LazyFrame:
    """Number rows, drop rows that are not data, keep canonical columns in contract order.

    `frame` has one text column per position, named c0, c1 …; `first_row` is the spreadsheet
    row number of its first row.
    """
    ds = header.dataset
    names = frame.collect_schema().names()
    frame = frame.with_row_index("_row", offset=first_row).with_columns(
        pl.col("_row").cast(pl.Int64), pl.lit(sheet, dtype=pl.String).alias("_sheet")
    )
    named = {f"c{i}": c for i, c in header.matched.items() if f"c{i}" in names}
    if unwrap_formula_text:  # Excel's ="0123" text trick in CSV files
        frame = frame.with_columns(pl.col(c).str.replace(r'^="(.*)"$', "$1") for c in named)
    cells = {c: pl.col(c).str.strip_chars() for c in names}
    compact = [e.str.replace_all(r"\s", "") for e in cells.values()]  # 合 计 is 合计
    filled = pl.coalesce([pl.when(e != "").then(e) for e in compact])
    recognised = pl.coalesce([pl.when(cells[c] != "").then(cells[c]) for c in named])
    key_cells = [
        cells[f"c{i}"] for i, c in header.matched.items() if c in ds.key and f"c{i}" in names
    ]
    no_key = pl.all_horizontal([(e.is_null() | (e == "")) for e in key_cells])
    any_footer = pl.any_horizontal(
        [e.str.contains(_FOOTER_ANYWHERE).fill_null(False) for e in compact]
    )
    footer = filled.str.contains(_FOOTER).fill_null(False) | (no_key & any_footer)
    repeated_header = pl.all_horizontal(
        [
            (cells[f"c{i}"] == header.titles[i]).fill_null(False)
            for i, c in header.matched.items()
            if c in ds.key and f"c{i}" in names
        ]
    )
    frame = frame.filter(recognised.is_not_null() & ~footer & ~repeated_header)
    frame = frame.rename(named).with_columns(
        pl.lit(None, dtype=pl.String).alias(c) for c in ds.column_names if c not in named.values()
    )
    return frame.select("_sheet", "_row", *ds.column_names)


# -- CSV ---------------------------------------------------------------------------------------


def _encoding(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(1 << 16)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.count(0) > len(head) // 4:  # UTF-16 without a byte-order mark
        return "utf-16-le" if head[1::2].count(0) > head[::2].count(0) else "utf-16-be"
    controls = sum(head.count(b) for b in (*range(0, 9), 11, 12, *range(14, 27), *range(28, 32)))
    if controls > len(head) // 100:
        raise FileRefused("file_unreadable", path.suffix.lower())  # binary: not a text table
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the 64 KB window is still UTF-8.
        if exc.start < len(head) - 4:
            return "gb18030"
    return "utf-8"


def _transcode(path: Path, encoding: str, work_dir: Path) -> Path:
    """Stream a file that is not UTF-8 into an owner-only UTF-8 copy inside the data directory."""
    work_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = work_dir / f"transcode-{os.getpid()}-{path.stem[:40]}.csv"
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with (
            os.fdopen(fd, "w", encoding="utf-8", newline="") as out,
            path.open(encoding=encoding, errors="strict", newline="") as src,
        ):
            while chunk := src.read(1 << 20):
                out.write(chunk)
    except UnicodeError as exc:
        target.unlink(missing_ok=True)
        raise FileRefused("file_encoding") from exc
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def clear_work_dir(work_dir: Path) -> None:
    """Remove transcoded copies left by a run that was killed."""
    if work_dir.exists():
        for leftover in work_dir.glob("transcode-*"):
            leftover.unlink(missing_ok=True)


def _separator(path: Path, sample: str) -> str:
    if path.suffix.lower() == ".tsv":
        return "\t"
    lines = sample.splitlines()[:HEADER_SCAN_ROWS]
    tabs, commas = sum(line.count("\t") for line in lines), sum(line.count(",") for line in lines)
    return "\t" if tabs > commas else ","


def _open_csv(path: Path, reference: Reference, work_dir: Path) -> Source:
    encoding = _encoding(path)
    temp = _transcode(path, encoding, work_dir) if encoding not in ("utf-8", "utf-8-sig") else None
    text_path = temp or path
    try:
        scan = _scan_lines(text_path)  # no line past MAX_LINE_BYTES from here on
        with text_path.open(encoding="utf-8-sig", newline="") as f:
            sample = f.read(1 << 16)
            f.seek(0)
            separator = _separator(path, sample)
            reader = csv.reader(f, delimiter=separator)
            rows: list[list[str | None]] = []
            widths: list[int] = []
            lines_before: list[int] = []  # physical lines before each record (quoted cells
            lines_read = 0  # may hold line breaks; a spreadsheet shows a record as one row)
            for record in reader:
                lines_before.append(lines_read)
                lines_read = reader.line_num
                widths.append(len(record))
                while record and not record[-1]:  # trailing empty cells name nothing
                    record.pop()
                if len(record) > MAX_COLUMNS:
                    raise FileRefused("file_too_many_columns", f"{MAX_COLUMNS:,}")
                rows.append([c or None for c in record])
                if len(rows) >= HEADER_SCAN_ROWS + HEADER_MAX_ROWS + 1:
                    break
        header = _recognise(rows, path.name, reference)
        if header is None:
            raise FileRefused("no_key_column")
        start = _data_start(rows, header)
        width = min(max(widths[header.top : header.bottom + 1]), MAX_COLUMNS)
        _dense_lines(scan, width)
        skip = lines_before[start] if start < len(rows) else lines_read
        frame = pl.scan_csv(
            text_path,
            has_header=False,
            skip_lines=skip,
            schema=dict.fromkeys((f"c{i}" for i in range(width)), pl.String),
            separator=separator,
            truncate_ragged_lines=True,
            # The first data line sets no width: blank, it is a row of empty cells; wider than
            # the header, its cells beyond it are dropped like those of any other line.
            missing_columns="insert",
            extra_columns="ignore",
            encoding="utf8",
        )
        columns, unknown = _columns(header)
        part = Part(
            sheet=None,
            header_row=header.bottom + 1,
            columns=columns,
            unknown_columns=unknown,
            frame=_finish(frame, header, None, first_row=start + 1, unwrap_formula_text=True),
        )
        return Source(path=path, dataset=header.dataset, parts=[part], _temp=temp)
    except BaseException:
        if temp is not None:
            temp.unlink(missing_ok=True)
        raise


# -- Excel -------------------------------------------------------------------------------------


def _cell_text(value: object, identity: bool) -> str | None:
    """A cell as text the way the sheet shows it; an identity number kept in a number cell
    longer than a spreadsheet can hold exactly keeps Excel's number form (2.11202e+17), so
    it is rejected instead of loaded with wrong digits."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return format(value, ".15g")
        number = int(value)
        if identity and len(str(abs(number))) > _EXACT_DIGITS:
            return format(float(value), ".15g")
        return str(number)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, time | timedelta):
        return str(value)
    return str(value)


def _fill_merges(
    grid: list[list[object]], merges: list[tuple[tuple[int, int], tuple[int, int]]]
) -> set[tuple[int, int]]:
    """Fill merged areas with the value of their first cell; the cells that got it."""
    carried: set[tuple[int, int]] = set()
    for (r0, c0), (r1, c1) in merges:
        inside = 0 <= r0 < len(grid) and c0 < len(grid[r0])
        value = grid[r0][c0] if inside else ""
        if value in (None, ""):
            continue
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            for c in range(c0, min(c1, len(grid[r]) - 1) + 1):
                if (r, c) != (r0, c0):
                    carried.add((r, c))
                    grid[r][c] = value
    return carried


def _open_workbook(path: Path, reference: Reference) -> list[Source]:
    try:
        with path.open("rb") as f:
            workbook = python_calamine.CalamineWorkbook.from_filelike(f)
    except python_calamine.PasswordError as exc:
        raise FileRefused("file_encrypted") from exc
    by_dataset: dict[str, Source] = {}
    skipped: list[tuple[str, str]] = []
    for meta in workbook.sheets_metadata:
        sheet_name = meta.name
        if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
            skipped.append((sheet_name, "sheet_not_data"))  # a chart or macro sheet
            continue
        sheet = workbook.get_sheet_by_name(sheet_name)
        grid = sheet.to_python(skip_empty_area=False)
        if not any(any(v not in (None, "") for v in row) for row in grid):
            skipped.append((sheet_name, "sheet_empty"))
            continue
        merges = list(sheet.merged_cell_ranges or [])
        part = _sheet_part(grid, merges, sheet_name, path.name, reference)
        if part is None:
            skipped.append((sheet_name, "sheet_not_data"))
            continue
        dataset, part = part
        if dataset.name in by_dataset:
            by_dataset[dataset.name].parts.append(part)
        else:
            by_dataset[dataset.name] = Source(path=path, dataset=dataset, parts=[part])
    if not by_dataset:
        raise FileRefused("no_key_column", f"（工作表 sheets: {'、'.join(workbook.sheet_names)}）")
    sources = list(by_dataset.values())
    for source in sources:
        source.skipped_sheets = skipped
    return sources


def _sheet_part(
    grid: list[list[object]],
    merges: list[tuple[tuple[int, int], tuple[int, int]]],
    sheet_name: str,
    file_name: str,
    reference: Reference,
) -> tuple[Dataset, Part] | None:
    first_used = next(i for i, row in enumerate(grid) if any(v not in (None, "") for v in row))
    # Header cells are filled across merged areas before the header is looked for.
    head_grid = [list(row) for row in grid[first_used : first_used + HEADER_SCAN_ROWS + 1]]
    shifted = [((r0 - first_used, c0), (r1 - first_used, c1)) for (r0, c0), (r1, c1) in merges]
    _fill_merges(head_grid, shifted)
    head = [[_cell_text(v, False) for v in row] for row in head_grid]
    header = _recognise(head, file_name, reference)
    if header is None:
        return None
    start = first_used + _data_start(head, header)
    # A merged value belongs to every data row it spans (a value merged across columns stands
    # in the first one, as the sheet shows it); a row with nothing of its own stays blank.
    own = [any(v not in (None, "") for v in row) for row in grid[start:]]
    spans = [((r0, c0), (r1, c0)) for (r0, c0), (r1, _) in merges if r1 >= start]
    carried = _fill_merges(grid, spans)
    body = [row if own[i] else [] for i, row in enumerate(grid[start:])]
    kinds = {i: header.dataset.column(c).kind for i, c in header.matched.items()}
    width = max(len(row) for row in grid)
    columns = {}
    for i in range(width):
        identity = kinds.get(i) in ("id_number", "certificate_no")
        values = [row[i] if i < len(row) else None for row in body]
        if all(isinstance(v, str) for v in values):
            columns[f"c{i}"] = [v or None for v in values]
        else:
            columns[f"c{i}"] = [_cell_text(v, identity) for v in values]
    frame = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))
    header = replace(header, top=header.top + first_used, bottom=header.bottom + first_used)
    column_names, unknown = _columns(header)
    part = Part(
        sheet=sheet_name,
        header_row=header.bottom + 1,
        columns=column_names,
        unknown_columns=unknown,
        frame=_finish(frame.lazy(), header, sheet_name, first_row=start + 1),
        merged_values=sum(
            1 for r, c in carried if r >= start and own[r - start] and c in header.matched
        ),
    )
    return header.dataset, part


# -- Parquet -----------------------------------------------------------------------------------


def _open_parquet(path: Path, reference: Reference) -> Source:
    frame = pl.scan_parquet(path)
    names = frame.collect_schema().names()
    header = _recognise([list(names)], path.name, reference)
    if header is None:
        raise FileRefused("no_key_column")
    frame = frame.select(pl.col(n).cast(pl.String).alias(f"c{i}") for i, n in enumerate(names))
    columns, unknown = _columns(header)
    part = Part(
        sheet=None,
        header_row=1,
        columns=columns,
        unknown_columns=unknown,
        frame=_finish(frame, header, None, first_row=2),
    )
    return Source(path=path, dataset=header.dataset, parts=[part])
