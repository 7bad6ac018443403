"""Picture of a generated bulletin for the README (docs/screenshots/bulletin.png).

    .venv/bin/python docs/make_bulletin_screenshot.py

Loads the small demo into a temporary data directory, writes the 2025-Q3 bulletin of 精康融合
行动, converts it with LibreOffice (Word → PDF) and pdftoppm (PDF → PNG). Needs Debian's
libreoffice-writer-nogui and poppler-utils.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent / "screenshots"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cli = [sys.executable, "-m", "pipelines.cli", "--data-dir", str(tmp / "data")]
        subprocess.run([*cli, "demo", "--load"], check=True, capture_output=True)
        docx = tmp / "bulletin.docx"
        subprocess.run([*cli, "bulletin", "--programme", "mental_rehab", "--period", "2025-Q3", "--out", str(docx)],
                       check=True, capture_output=True)  # fmt: skip
        subprocess.run(["libreoffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp), str(docx)],
                       check=True, capture_output=True, timeout=180)  # fmt: skip
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "2", str(tmp / "bulletin.pdf"), str(tmp / "page")],
                       check=True)  # fmt: skip
        for i, page in enumerate(sorted(tmp.glob("page*.png")), start=1):
            shutil.copy(page, OUT / f"bulletin-{i}.png")


if __name__ == "__main__":
    main()
