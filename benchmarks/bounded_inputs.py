"""Files built to exhaust memory, at their real size: each is run through `rehab-monitor
pipeline run` in its own child process, which prints the file's status and the child's peak
resident memory and wall time.

    .venv/bin/python benchmarks/bounded_inputs.py            # --blank-mb 50

Before the limits of `pipelines/ingest/read.py`, 50 MB of blank lines took 3.1 GB and minutes;
a million columns on a later line 147 s; an .xlsx of a few KB with a cell at XFD1048576 ended
the process. Refused files cost about what a run of a small
file costs; the separator rows Excel writes for an empty used range are read, not refused.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE = (ROOT / "tests" / "fixtures" / "bad_input" / "_base_cases.csv").read_text(encoding="utf-8")
HEAD = "".join(BASE.splitlines(True)[:3])
ROWS = "".join(BASE.splitlines(True)[3:])


def files(blank_mb: int) -> dict[str, str | None]:
    """Name → text of each nasty file (and of the look-alike that must load)."""
    return {
        "a small normal file (baseline)": BASE,
        "blank_lines": BASE + "\n" * (blank_mb * 1024 * 1024),
        "blank_lines_crlf": BASE + "\r\n" * (blank_mb * 512 * 1024),
        "million_columns_later_line": BASE + "," * 1_000_000 + "\n" + ROWS,
        "wide_rows_under_header": HEAD + ("YZ-9," + "," * 1_000_000 + "\n") * 12,
        "wide_empty_row_in_header_scan": HEAD + "," * 250_000 + "\n" + ROWS,
        "excel_separator_rows (loads)": BASE + ("," * 13 + "\r\n") * 1_048_000,
        "xlsx_cell_at_XFD1048576": None,
    }


def far_cell_workbook(path: Path) -> None:
    """The base cases as an .xlsx with one more cell at XFD1048576 (a few KB)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for r, line in enumerate(BASE.splitlines()):
        sheet.write_row(r, 0, line.split(","))
    sheet.write(1_048_575, 16_383, "x")
    book.close()


def run(root: Path, name: str, text: str | None) -> tuple[str, float, float]:
    inbox = root / name.split()[0] / "inbox"
    inbox.mkdir(parents=True)
    if text is None:
        far_cell_workbook(inbox / "个案.xlsx")
    else:
        (inbox / "个案.csv").write_text(text, encoding="utf-8", newline="")
    cli = [sys.executable, "-m", "pipelines.cli", "--data-dir", str(inbox.parent / "data")]
    t0 = time.perf_counter()
    proc = subprocess.Popen([*cli, "pipeline", "run", "--inbox", str(inbox)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak memory
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{name}: the run failed")
    seconds = time.perf_counter() - t0
    line = next((x for x in out.splitlines() if x.startswith("个案.")), "?")
    return " ".join(line.split()[2:4]), seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--blank-mb", type=int, default=50, help="MB of blank lines")
    args = parser.parse_args()
    print("| file | size | status, rows read | seconds | peak RSS |\n|---|--:|---|--:|--:|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files(args.blank_mb).items():
            status, seconds, peak = run(Path(tmp), name, text)
            size = len(text.encode()) / 1e6 if text is not None else 0.0
            print(f"| {name} | {size:,.1f} MB | {status} | {seconds:.1f} | {peak:,.0f} MB |")


if __name__ == "__main__":
    main()
