"""No raw ID number, certificate number or full name anywhere under the data directory
outside inbox/ after loading the demo — not in DuckDB files, logs, quarantine or snapshots."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.cli import main
from pipelines.indicators.reference import Reference
from pipelines.ingest.read import FileRefused, open_sources


def raw_identities(inbox: Path, reference: Reference) -> tuple[set[str], set[str]]:
    """(ID and certificate numbers as written and as 18 digits, full names) in the inbox."""
    numbers: set[str] = set()
    names: set[str] = set()
    sources = []
    for path in sorted(inbox.iterdir()):
        try:
            sources += open_sources(path, reference, reference.settings.work_dir)
        except FileRefused:
            continue
    for source in sources:
        try:
            # A person's name (kind "name"); an institution's name is public, not an identity.
            personal = {c.name for c in source.dataset.columns
                        if c.kind in ("id_number", "certificate_no", "name")}  # fmt: skip
            cols = [c for c in personal if c in source.columns.values()]
            df = source.lazy().select(cols).collect()
        finally:
            source.close()
        for col in ("id_number", "certificate_no"):
            if col in df.columns:
                for v in df.get_column(col).drop_nulls().to_list():
                    v = re.sub(r"\s|\u200b", "", v)
                    if len(v) >= 15:
                        numbers |= {v, v.upper(), v[:18].upper()}
        if "name" in df.columns:
            names |= {
                v.strip()
                for v in df.get_column("name").drop_nulls().to_list()
                if len(v.strip()) >= 2
            }
    return numbers, names


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, demo_inbox):
    data = tmp_path_factory.mktemp("privacy") / "data"
    shutil.copytree(demo_inbox, data / "inbox")
    assert main(["--data-dir", str(data), "pipeline", "run"]) == 0
    assert main(["--data-dir", str(data), "rejects", "--out", str(data / "exports" / "r.csv")]) == 0
    return data


def test_no_raw_identity_in_any_file_outside_the_inbox(loaded):
    from pipelines.settings import load_settings

    numbers, names = raw_identities(loaded / "inbox", Reference(load_settings(loaded)))
    assert len(numbers) > 1_000 and len(names) > 1_000
    needles = [n.encode() for n in numbers] + [n.encode() for n in names if len(n) >= 3]
    pattern = re.compile(b"|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)))
    checked = 0
    for path in loaded.rglob("*"):
        if path.is_file() and "inbox" not in path.relative_to(loaded).parts:
            hit = pattern.search(path.read_bytes())
            assert hit is None, f"{path.name} holds {hit.group()[:6]!r}…"
            checked += 1
    assert checked >= 5  # warehouse, snapshot, secret, log, export at least


def test_no_identity_values_in_any_database_column(loaded):
    """Compressed storage could hide a raw value from a byte search: query every text column."""
    from pipelines.settings import load_settings

    numbers, names = raw_identities(loaded / "inbox", Reference(load_settings(loaded)))
    two_char = {n for n in names if len(n) == 2}
    for db in [loaded / "warehouse.duckdb", *loaded.glob("snapshots/*.duckdb")]:
        con = duckdb.connect(str(db), read_only=True)
        try:
            columns = con.execute(
                "select table_name, column_name from information_schema.columns "
                "where data_type = 'VARCHAR'"
            ).fetchall()
            for table, column in columns:
                values = pl.Series(
                    [
                        r[0]
                        for r in con.execute(
                            f'select distinct "{column}" from "{table}"'
                        ).fetchall()
                    ]
                ).drop_nulls()
                if values.dtype != pl.String or values.is_empty():
                    continue
                if column not in ("person_key", "file_hash"):  # hex digests may hold digit runs
                    assert not values.str.contains(r"\d{17}[\dXx]").any(), (
                        f"{db.name}:{table}.{column}"
                    )
                found = set(values.to_list()) & (numbers | names | two_char)
                assert not found, f"{db.name}:{table}.{column} holds a raw identity"
        finally:
            con.close()


def test_secret_is_private(loaded):
    assert (loaded / "secret.key").stat().st_mode & 0o777 == 0o600
