"""Pictures of generated bulletins for the README (docs/screenshots/bulletin-*.png).

    .venv/bin/python docs/make_bulletin_screenshot.py

Loads the small demo (as sent on 2025-10-08) into a temporary data directory, writes the
2025-Q3 bulletin of 精康融合行动 and the all-programmes bulletin, renders them through
LibreOffice as the bulletins page's preview does (pipelines/outputs/bulletin/pdf.py) and saves
pages as PNG with PDFium. Needs Debian's libreoffice-writer-nogui.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pypdfium2 as pdfium

OUT = Path(__file__).resolve().parent / "screenshots"
PAGES = {"mental_rehab": (1, 2, 4), "all": (1,)}


def main() -> None:
    from pipelines.outputs.bulletin import build
    from pipelines.outputs.bulletin.pdf import to_pdf
    from pipelines.settings import load_settings

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = {**os.environ, "REHAB_MONITOR_TODAY": "2025-10-08"}
        cli = [sys.executable, "-m", "pipelines.cli", "--data-dir", str(tmp / "data")]
        subprocess.run([*cli, "demo", "--load"], check=True, capture_output=True, env=env)
        settings = load_settings(tmp / "data", today="2025-10-08")
        for programme, pages in PAGES.items():
            pdf = to_pdf(build(settings, programme, "2025-Q3").path)
            if pdf is None:
                raise SystemExit(
                    "LibreOffice Writer is needed: apt install libreoffice-writer-nogui"
                )
            document = pdfium.PdfDocument(str(pdf))
            for n in pages:
                name = f"bulletin-{'all-' if programme == 'all' else ''}{n}.png"
                document[n - 1].render(scale=1.1).to_pil().save(OUT / name)
            document.close()


if __name__ == "__main__":
    main()
