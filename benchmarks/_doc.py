"""Writing a benchmark's figures into its section of docs/performance.md."""

from __future__ import annotations

import re
from pathlib import Path


def write_section(out: Path, heading: str, body: str) -> None:
    """Replace the section `heading` (a `## ` line up to the next one) with `body`, or append
    it; the rest of the file stays as it is."""
    section = f"{heading}\n\n{body.strip()}\n"
    text = out.read_text(encoding="utf-8") if out.exists() else "# Performance\n"
    if heading in text:
        pattern = rf"{re.escape(heading)}\n.*?(?=\n## |\Z)"
        text = re.sub(pattern, lambda _m: section.rstrip("\n"), text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
