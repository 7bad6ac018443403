"""Reference files: programmes and header aliases (shipped in data/reference, overridable)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

import polars as pl

from pipelines.settings import DEFAULT_REFERENCE_DIR, Settings
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
    indicators: tuple[str, ...] = ()
    # served_count counts only persons aged 0-17 when their service started (残疾儿童康复救助)
    children_only: bool = False
    # institutions settle each quarter; a finished quarter without a settlement is notified
    quarterly_settlement: bool = False


@dataclass(frozen=True)
class Indicator:
    code: str
    unit: str  # ratio or count
    name_zh: str
    name_en: str
    definition_zh: str
    definition_en: str = ""
    # Each member (a county, a staff member) belongs to exactly one district, so the
    # districts' numerators and denominators sum to the city's (checked before publishing).
    additive: bool = False
    # A time limit in working days the indicator measures (审核 within 5 working days); the
    # follow-up list of overdue reviews uses the same limit.
    working_days: int | None = None


TARGET_COLUMNS = ("programme", "indicator", "year", "scope", "value", "kind", "source")


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


def _whole_number(path, row: dict, column: str) -> int | None:
    text = (row.get(column) or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise ReferenceError(f"{path}: {row['code']}.{column} must be a whole number, got {text!r}")
    return int(text)


class Reference:
    """Programme registry and header aliases for one installation."""

    def __init__(self, settings: Settings):
        self.settings = settings

    @classmethod
    def shipped(cls) -> Reference:
        """The reference files as shipped in data/reference, without an installation's own."""
        return cls(Settings(data_dir=DEFAULT_REFERENCE_DIR / "shipped-only"))

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
            for flag in (
                "need_filter",
                "standardized_only",
                "children_only",
                "quarterly_settlement",
            ):
                value = (row.get(flag) or "false").strip().lower()
                if value not in ("true", "false"):
                    raise ReferenceError(f"{path}: {code}.{flag} must be true or false")
                flags[flag] = value == "true"
            indicators = tuple(
                i.strip() for i in (row.get("indicators") or "").split(";") if i.strip()
            )
            unknown = [i for i in indicators if i not in self.indicators]
            if unknown:
                raise ReferenceError(
                    f"{path}: {code} 的指标未定义 / unknown indicators for {code}: {', '.join(unknown)}"
                )
            out[code] = Programme(
                code=code,
                indicators=indicators,
                name_zh=row["name_zh"].strip(),
                name_en=(row["name_en"] or "").strip(),
                short_names=tuple(s.strip() for s in (row["short_names"] or "").split(";") if s),
                population=(row.get("population") or "").strip(),
                source=(row.get("source") or "").strip(),
                **flags,
            )
        return out

    @cached_property
    def indicators(self) -> dict[str, Indicator]:
        path = self.settings.reference_file("indicators.csv")
        df = _read_csv(path, {"code", "unit", "name_zh", "name_en"})
        out = {}
        for row in df.iter_rows(named=True):
            if row["unit"] not in ("ratio", "count"):
                raise ReferenceError(f"{path}: {row['code']}: unit must be ratio or count")
            out[row["code"]] = Indicator(
                code=row["code"],
                unit=row["unit"],
                name_zh=row["name_zh"],
                name_en=row["name_en"],
                definition_zh=row.get("definition_zh") or "",
                definition_en=row.get("definition_en") or "",
                additive=(row.get("additive") or "false").strip().lower() == "true",
                working_days=_whole_number(path, row, "working_days"),
            )
        return out

    def targets(self, district_codes: frozenset[str]) -> pl.DataFrame:
        """The target rows, validated: every problem is reported with its row number."""
        path = self.settings.reference_file("targets.csv")
        df = _read_csv(path, set(TARGET_COLUMNS))
        rows, problems = self.check_targets(df.to_dicts(), district_codes)
        if problems:
            raise ReferenceError(
                f"目标文件有误 / invalid targets file {path}:\n" + "\n".join(problems)
            )
        schema = {
            "programme": pl.String, "indicator": pl.String, "year": pl.Int32, "scope": pl.String,
            "value": pl.Float64, "kind": pl.String, "source": pl.String, "note": pl.String,
        }  # fmt: skip
        return pl.DataFrame(rows, schema=schema)

    def check_targets(
        self, raw: list[dict], district_codes: frozenset[str]
    ) -> tuple[list[dict], list[str]]:
        """Clean target rows and the problems found, each with its row number as in the CSV
        file (the header is row 1) in Chinese and English."""
        problems = []
        rows = []
        for n, row in enumerate(raw, start=2):
            problem = self._target_problem(row, district_codes)
            if problem:
                problems.append(f"第{n}行 / row {n}: {problem}")
                continue
            rows.append(
                {
                    "programme": row["programme"].strip(),
                    "indicator": row["indicator"].strip(),
                    "year": int(row["year"]),
                    "scope": row["scope"].strip(),
                    "value": float(row["value"]),
                    "kind": row["kind"].strip(),
                    "source": (row["source"] or "").strip(),
                    "note": (row.get("note") or "").strip(),
                }
            )
        keys = [(r["programme"], r["indicator"], r["year"], r["scope"]) for r in rows]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            problems.append(f"目标重复 / repeated target rows: {repeated}")
        return rows, problems

    def _target_problem(self, row: dict, district_codes: frozenset[str]) -> str | None:
        row = {k: (None if v is None else str(v)) for k, v in row.items()}
        programme = self.programmes.get((row["programme"] or "").strip())
        if programme is None:
            return f"未知项目 / unknown programme {row['programme']!r}"
        indicator = self.indicators.get((row["indicator"] or "").strip())
        if indicator is None or indicator.code not in programme.indicators:
            return f"项目{programme.code}没有指标 / programme has no indicator {row['indicator']!r}"
        try:
            year, value = int(row["year"]), float(row["value"])
        except (TypeError, ValueError):
            return "年度或目标值不是数字 / year or value is not a number"
        if not 2000 <= year <= 2100:
            return f"年度不合理 / implausible year {year}"
        scope = (row["scope"] or "").strip()
        if scope not in ("*", "city") and scope not in district_codes:
            return f"范围应为*、city或本辖区区县代码 / scope must be *, city or a district code: {scope!r}"
        kind = (row["kind"] or "").strip()
        if kind != indicator.unit:
            return f"类型应为{indicator.unit} / kind must be {indicator.unit}"
        if value < 0 or (kind == "ratio" and value > 1):
            return f"目标值超出范围 / value out of range: {value}"
        return None

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
