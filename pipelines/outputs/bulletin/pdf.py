"""A PDF copy of a bulletin, rendered by LibreOffice (headless), for the preview on the
bulletins page: the office sees the pages as they will print before downloading the .docx.
Without LibreOffice Writer on the machine there is no preview, and the page says so."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_SECONDS = 180


def office() -> str | None:
    """The LibreOffice program, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(document: Path) -> Path | None:
    """Render `document` to a PDF beside it (same name, .pdf); None when LibreOffice is not
    installed or cannot render it. A private LibreOffice profile per call, so concurrent
    renderings and a user's own LibreOffice never lock each other."""
    program = office()
    if program is None:
        return None
    target = document.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="rehab-lo-") as profile:
        try:
            subprocess.run(
                [program, "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
                 "--convert-to", "pdf", "--outdir", profile, str(document)],
                capture_output=True, timeout=TIMEOUT_SECONDS, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return None
        made = Path(profile) / target.name
        if not made.exists():
            return None
        tmp = target.with_suffix(".pdf.tmp")
        shutil.move(str(made), tmp)
        tmp.replace(target)
    return target
