"""Editing the target rows (admin): validate, write the installation's own targets file,
audit the change, and republish the marts with a pipeline run."""

from __future__ import annotations

import csv
import io
import os

from pipelines.indicators.reference import TARGET_COLUMNS, Reference, _read_csv
from pipelines.indicators.regions import jurisdiction
from pipelines.ops import accounts
from pipelines.settings import Settings

COLUMNS = (*TARGET_COLUMNS, "note")


def target_rows(settings: Settings) -> list[dict]:
    """The target rows in use (the data directory's file, else the shipped one), as text."""
    df = _read_csv(settings.reference_file("targets.csv"), set(TARGET_COLUMNS))
    return [{c: (r.get(c) or "") for c in COLUMNS} for r in df.to_dicts()]


def _key(row: dict) -> tuple:
    return (row["programme"], row["indicator"], str(row["year"]), row["scope"])


def changes(before: list[dict], after: list[dict]) -> list[tuple[str, str]]:
    """What changed: (target row, description) for each row added, removed or altered."""
    old = {_key(r): r for r in before}
    new = {_key(r): r for r in after}
    found = []
    for key in sorted(set(old) | set(new)):
        name = " ".join(key)
        if key not in old:
            found.append((name, f"+ {name} = {new[key]['value']}"))
        elif key not in new:
            found.append((name, f"- {name} (was {old[key]['value']})"))
        else:
            diff = [f"{c}: {old[key][c]} → {new[key][c]}" for c in COLUMNS[4:]
                    if str(old[key][c]) != str(new[key][c])]  # fmt: skip
            if diff:
                found.append((name, f"~ {name}: " + "; ".join(diff)))
    return found


def save_targets(
    settings: Settings, rows: list[dict], by: str, ip: str | None = None
) -> tuple[list[str], list[tuple[str, str]]]:
    """Validate `rows`; when valid write them as the installation's targets file and audit
    each change. Returns (problems, changes): the problems with row numbers as in the file
    (header = row 1), nothing written when there are any; the changes written otherwise."""
    raw = [{c: ("" if r.get(c) is None else str(r.get(c)).strip()) for c in COLUMNS} for r in rows]
    raw = [r for r in raw if any(r.values())]  # rows left blank in the editor
    for r in raw:
        if r["year"].endswith(".0"):
            r["year"] = r["year"][:-2]
    codes = jurisdiction(settings.jurisdiction).codes
    _, problems = Reference(settings).check_targets(raw, codes)
    if problems:
        return problems, []
    changed = changes(target_rows(settings), raw)
    if not changed:
        return [], []
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(raw)
    folder = settings.reference_override_dir
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / "targets.csv.tmp"
    tmp.write_text(out.getvalue(), encoding="utf-8")
    os.replace(tmp, folder / "targets.csv")
    for target, line in changed:
        accounts.audit(settings, by, "target_change", target, line, ip)
    return [], changed
