"""Protect: replace identities by a keyed hash and masked forms before anything is written.

`person_key` is HMAC-SHA256 of the 18-digit ID number under a per-installation secret kept
in the data directory (mode 0600), outside the database; the same person gets the same key
in every file and run, and the key cannot be reversed without the secret.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import polars as pl

from schemas.contract import Dataset
from schemas.idnumbers import mask_id_expr, mask_name_expr

IDENTITY_KINDS = ("id_number", "certificate_no", "name")


def load_or_create_secret(path: Path) -> bytes:
    """The installation secret; created with 0600 permissions on first use."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        data = path.read_bytes().strip()
        if len(data) < 32:
            raise RuntimeError(f"secret file {path} is damaged (too short)") from None
        return data
    with os.fdopen(fd, "wb") as f:
        f.write(secrets.token_hex(32).encode())
    return path.read_bytes().strip()


def person_keys(ids: pl.Series, secret: bytes) -> pl.Series:
    """HMAC of each ID number (hex, 128 bits); null stays null."""
    out = [
        None if v is None else hmac.new(secret, v.encode(), hashlib.sha256).hexdigest()[:32]
        for v in ids.to_list()
    ]
    return pl.Series(ids.name, out, dtype=pl.String)


def protect(df: pl.DataFrame, dataset: Dataset, secret: bytes) -> pl.DataFrame:
    """Drop raw identities; a dataset with ID numbers (cases) gains person_key, id_masked,
    name_masked, and the birth date and gender the number carries."""
    # Raw identities by kind: a person's name is one, an institution's name (机构名称) is not.
    personal = [
        c.name for c in dataset.columns if c.kind in IDENTITY_KINDS and c.name in df.columns
    ]
    if "id_number" not in dataset.column_names:
        return df.drop(personal)
    id18 = pl.coalesce(pl.col("id_number"), pl.col("certificate_no").str.slice(0, 18))
    df = df.with_columns(id18.alias("_id18"))
    born = (
        pl.col("_id18").str.slice(6, 8).str.to_date("%Y%m%d", strict=False).dt.strftime("%Y-%m-%d")
    )
    digit = pl.col("_id18").str.slice(16, 1).cast(pl.Int32, strict=False)
    sex = pl.when(digit % 2 == 1).then(pl.lit("男")).when(digit % 2 == 0).then(pl.lit("女"))
    df = df.with_columns(
        person_keys(df.get_column("_id18"), secret).alias("person_key"),
        mask_id_expr(pl.col("_id18")).alias("id_masked"),
        mask_name_expr(pl.col("name")).alias("name_masked"),
        # The ID carries the authoritative birth date and gender; columns only fill gaps.
        pl.coalesce(born, pl.col("birth_date")).alias("birth_date"),
        pl.coalesce(sex, pl.col("gender")).alias("gender"),
    )
    return df.drop("_id18", *personal)
