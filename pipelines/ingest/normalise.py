"""Normalise: text as written → canonical text, per column kind (§3).

What can be understood is rewritten canonically (2024/3/5 → 2024-03-05, √ → Y, 昌图 → 211224);
what cannot is left as written, so the validation rule reports the value the district sent.
Nothing is guessed: an ID number Excel turned into a float stays as it is and is rejected.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipelines.indicators.regions import DistrictResolver, clean
from schemas.contract import Dataset
from schemas.idnumbers import upgrade_15_expr
from schemas.vocab import (
    CATEGORY_SPELLINGS,
    GENDER_SPELLINGS,
    LEVEL_SPELLINGS,
    LIST_SEPARATORS,
    POVERTY_SPELLINGS,
    YES_NO,
)

_INVISIBLE = r"[\u200b-\u200f\u2060\ufeff\u00a0\u3000\s]"
_EXCEL_EPOCH = pl.date(1899, 12, 30)


@dataclass(frozen=True)
class Vocabulary:
    """Installation-specific spellings: districts of the jurisdiction and programme names."""

    resolver: DistrictResolver
    programme_spellings: dict[str, str]


def clean_text(col: str) -> pl.Expr:
    """Trim, full-width → half-width (NFKC), drop zero-width characters; empty → null."""
    text = pl.col(col).str.normalize("NFKC").str.strip_chars()
    text = text.str.replace_all(r"^[\u200b-\u200f\u2060\ufeff]+|[\u200b-\u200f\u2060\ufeff]+$", "")
    return pl.when(text == "").then(None).otherwise(text).alias(col)


def _mapped(expr: pl.Expr, spellings: dict[str, str], *, upper: bool = False) -> pl.Expr:
    key = expr.str.to_uppercase() if upper else expr
    if upper:
        spellings = {k.upper(): v for k, v in spellings.items()}
    return key.replace_strict(spellings, default=expr, return_dtype=pl.String)


def date_text(expr: pl.Expr) -> pl.Expr:
    """2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, 20240305, Excel serials → 2024-03-05
    (with or without a time of day after it)."""
    # A time of day after the date (登记时间 2024-03-05 14:20) does not change the date.
    text = expr.str.replace(r"[ T]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "")
    parts = text.str.extract_groups(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
    compact = text.str.extract_groups(r"^(\d{4})(\d{2})(\d{2})$")
    y = pl.coalesce(parts.struct.field("1"), compact.struct.field("1"))
    m = pl.coalesce(parts.struct.field("2"), compact.struct.field("2"))
    d = pl.coalesce(parts.struct.field("3"), compact.struct.field("3"))
    iso = pl.concat_str(y, pl.lit("-"), m.str.zfill(2), pl.lit("-"), d.str.zfill(2))
    serial = text.str.extract(r"^(\d{4,5})(?:\.0+)?$").cast(pl.Int32, strict=False)
    from_serial = pl.when(serial.is_between(367, 73050)).then(
        (_EXCEL_EPOCH + pl.duration(days=serial)).dt.strftime("%Y-%m-%d")
    )
    return pl.coalesce(iso, from_serial, text)


def id_text(expr: pl.Expr) -> pl.Expr:
    """Upper-case X, no spaces or invisible characters inside, no leading apostrophe (typed
    in Excel to keep a number as text)."""
    return expr.str.replace_all(_INVISIBLE, "").str.replace(r"^'", "").str.to_uppercase()


def number_text(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_all(r"[,，\s]", "").str.replace(r"(元|小时|学时|个月|月|人)$", "")


def normalise(df: pl.DataFrame, dataset: Dataset, vocab: Vocabulary) -> pl.DataFrame:
    """Canonical text for every column of `dataset`, plus `_sheet`, `_row` and `_key`."""
    df = df.with_columns(clean_text(c) for c in dataset.column_names)
    exprs = []
    for col in dataset.columns:
        c = pl.col(col.name)
        match col.kind:
            case "date":
                exprs.append(date_text(c).alias(col.name))
            case "yes_no":
                exprs.append(_mapped(c, YES_NO, upper=True).alias(col.name))
            case "category":
                exprs.append(_mapped(c, CATEGORY_SPELLINGS).alias(col.name))
            case "level":
                exprs.append(_mapped(c, LEVEL_SPELLINGS).alias(col.name))
            case "gender":
                exprs.append(_mapped(c, GENDER_SPELLINGS, upper=True).alias(col.name))
            case "poverty":
                exprs.append(_mapped(c, POVERTY_SPELLINGS).alias(col.name))
            case "programme":
                exprs.append(_programme(c, vocab).alias(col.name))
            case "list":
                exprs.append(_programme_list(c, vocab).alias(col.name))
            case "id_number" | "certificate_no":
                exprs.append(id_text(c).alias(col.name))
            case "number" | "int":
                exprs.append(number_text(c).alias(col.name))
    df = df.with_columns(exprs)
    if "id_number" in dataset.column_names:
        df = df.with_columns(upgrade_15_expr(pl.col("id_number")))
    if "district_code" in dataset.column_names:
        df = _district(df, dataset, vocab)
    key = pl.concat_str([pl.col(k) for k in dataset.key], separator="|")
    return df.with_columns(key.alias("_key")).select(
        "_sheet", "_row", "_key", *[c for c in dataset.column_names if c != "district"]
    )


def _programme(expr: pl.Expr, vocab: Vocabulary) -> pl.Expr:
    key = expr.str.replace_all(r"\s", "").str.to_lowercase()
    return key.replace_strict(vocab.programme_spellings, default=expr, return_dtype=pl.String)


def _programme_list(expr: pl.Expr, vocab: Vocabulary) -> pl.Expr:
    """'精康融合、儿童康复救助' → 'mental_rehab;child_rehab' (unknown items kept as written)."""
    items = expr.str.replace_all(LIST_SEPARATORS, ";").str.split(";")
    mapped = items.list.eval(
        pl.element()
        .str.strip_chars()
        .replace_strict(
            vocab.programme_spellings,
            default=pl.element().str.strip_chars(),
            return_dtype=pl.String,
        )
        .filter(pl.element().str.strip_chars() != "")
    )
    return pl.when(expr.is_null()).then(None).otherwise(mapped.list.join(";"))


def _district(df: pl.DataFrame, dataset: Dataset, vocab: Vocabulary) -> pl.DataFrame:
    """One `district_code`: the code column if filled, else the district column, resolved.

    An ambiguous spelling is kept in its cleaned form, which the district_ambiguous rule
    recognises; anything else unresolved is kept as written.
    """
    written = pl.coalesce(pl.col("district_code"), pl.col("district"))
    df = df.with_columns(written.alias("_district_written"))
    values = df.get_column("_district_written").unique().drop_nulls().to_list()
    mapping = {v: code for v, code in vocab.resolver.resolve_many(values).items() if code}
    mapping |= {v: clean(v) for v in values if vocab.resolver.is_ambiguous(v)}
    resolved = pl.col("_district_written").replace_strict(
        mapping, default=pl.col("_district_written"), return_dtype=pl.String
    )
    return df.with_columns(resolved.alias("district_code")).drop("_district_written")
