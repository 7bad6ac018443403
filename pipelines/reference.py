"""Reference files: programmes and header aliases (shipped in data/reference, overridable)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

import polars as pl

from pipelines.settings import Settings
from schemas.contract import DATASETS


class ReferenceError(ValueError):
    """A reference file is missing columns or holds values that make no sense."""


@dataclass(frozen=True)
class Programme:
    code: str
    name_zh: str
    name_en: str
    short_names: tuple[str, ...]
    population: str
    need_filter: bool
    standardized_only: bool
    source: str


def clean_header(text: str) -> str:
    """Header matching ignores spaces, width, bracketed notes, required-field stars and case."""
    text = unicodedata.normalize("NFKC", str(text))
    text = re.sub(r"[\s\u200b-\u200d\ufeff\u2060]+", "", text)
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】", "", text)
    return text.strip("*").lower()


def _read_csv(path, required: set[str]) -> pl.DataFrame:
    try:
        df = pl.read_csv(path, infer_schema=False)
    except Exception as exc:
        raise ReferenceError(
            f"参考文件无法读取 / cannot read reference file {path}: {exc}"
        ) from exc
    missing = required - set(df.columns)
    if missing:
        raise ReferenceError(
            f"参考文件缺少列 / reference file {path} lacks columns: {', '.join(sorted(missing))}"
        )
    return df


class Reference:
    """Programme registry and header aliases for one installation."""

    def __init__(self, settings: Settings):
        self.settings = settings

    @cached_property
    def programmes(self) -> dict[str, Programme]:
        path = self.settings.reference_file("programmes.csv")
        df = _read_csv(path, {"code", "name_zh", "short_names", "name_en", "need_filter"})
        out = {}
        for row in df.iter_rows(named=True):
            code = (row["code"] or "").strip()
            if not re.fullmatch(r"[a-z][a-z0-9_]*", code):
                raise ReferenceError(f"{path}: 项目代码无效 / invalid programme code {code!r}")
            flags = {}
            for flag in ("need_filter", "standardized_only"):
                value = (row.get(flag) or "false").strip().lower()
                if value not in ("true", "false"):
                    raise ReferenceError(f"{path}: {code}.{flag} must be true or false")
                flags[flag] = value == "true"
            out[code] = Programme(
                code=code,
                name_zh=row["name_zh"].strip(),
                name_en=(row["name_en"] or "").strip(),
                short_names=tuple(s.strip() for s in (row["short_names"] or "").split(";") if s),
                population=(row.get("population") or "").strip(),
                source=(row.get("source") or "").strip(),
                **flags,
            )
        return out

    @cached_property
    def programme_spellings(self) -> dict[str, str]:
        """Every accepted spelling (code, full name, short names) → programme code."""
        spellings = {}
        for p in self.programmes.values():
            for s in (p.code, p.name_zh, *p.short_names):
                spellings[clean_header(s)] = p.code
        return spellings

    def aliases(self, dataset: str) -> dict[str, str]:
        """Cleaned header → canonical column for one dataset (canonical names accepted too)."""
        return self._aliases[dataset]

    @cached_property
    def _aliases(self) -> dict[str, dict[str, str]]:
        out = {}
        for name, ds in DATASETS.items():
            path = self.settings.reference_file(f"aliases/{name}.csv")
            df = _read_csv(path, {"column", "alias"})
            mapping = {clean_header(c): c for c in ds.column_names}
            for column, alias in df.select("column", "alias").iter_rows():
                if column not in ds.column_names:
                    raise ReferenceError(
                        f"{path}: 未知的标准列 / unknown canonical column {column!r} for {name}"
                    )
                mapping[clean_header(alias)] = column
            out[name] = mapping
        return out
