"""District names as offices write them, measured against a public region list.

The spellings are made from the public list (tests/fixtures/regions), not from the resolver:
each county's full name and short form, bare and after its city, its province or both, and
its code. A spelling that the list itself gives to two counties, or that is also a city's or
province's name (铁岭, 河南省新乡), is ambiguous and not counted: the resolver must refuse it.
Counties the list still has but that were abolished are left out (they exist no more).
"""

from __future__ import annotations

import csv
import re
from functools import cache

import pytest

from pipelines.indicators.regions import district_resolver, jurisdiction
from pipelines.settings import DEFAULT_REFERENCE_DIR
from tests.conftest import FIXTURES

REGIONS = FIXTURES / "regions"
CHANGES = DEFAULT_REFERENCE_DIR / "region_changes.csv"
GOAL = 0.99
SUFFIXES = ("新区", "特区", "林区", "区", "县", "市", "旗")
NOT_COUNTIES = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")


@cache
def public_list() -> tuple[dict[str, str], list[str]]:
    with (REGIONS / "adcodes.csv").open(encoding="utf-8") as f:
        names = {
            r["adcode"][:6]: r["name"] for r in csv.DictReader(f) if r["adcode"].endswith("000000")
        }
    nations = (REGIONS / "56_nations.csv").read_text(encoding="utf-8").split()
    return names, sorted(nations, key=len, reverse=True)


def short(name: str, nations: list[str]) -> str | None:
    for nation in nations:  # 清原满族自治县, and 巴里坤哈萨克自治县 without 族
        for people in (nation, nation.removesuffix("族")):
            at = name.find(people)
            if len(people) > 1 and at >= 2 and "自治" in name[at:]:
                return name[:at]
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


def area_short(name: str, nations: list[str]) -> str:
    return short(name, nations) or re.sub(r"(省|市|地区|盟|自治区)$", "", name)


@cache
def spellings() -> tuple[dict[str, str], set[str]]:
    """(unambiguous spelling → county code, codes of counties that no longer exist)."""
    names, nations = public_list()
    counties = {c: n for c, n in names.items() if c[4:] != "00" and n not in NOT_COUNTIES}
    written: dict[str, set[str]] = {}
    areas: set[str] = set()
    for code, name in counties.items():
        province = names.get(code[:2] + "0000", "")
        city = names.get(code[:4] + "00", "")
        cities = {""}
        if city and city not in NOT_COUNTIES and code[:2] not in ("11", "12", "31", "50"):
            cities |= {city, area_short(city, nations)}
        provinces = {"", province, area_short(province, nations)}
        areas |= {p + c for p in provinces for c in cities} - {""}
        forms = {name} | ({short(name, nations)} - {None})
        for p in {"", province}:
            for c in cities - {area_short(city, nations)}:
                for form in forms:
                    written.setdefault(p + c + form, set()).add(code)
        written.setdefault(code, set()).add(code)
    current = jurisdiction("100000").codes
    resolver = district_resolver("100000", CHANGES)
    exists = {c for c in counties if resolver.resolve(c) in current}
    unambiguous = {
        s: next(iter(codes))
        for s, codes in written.items()
        if len(codes) == 1 and s not in areas and next(iter(codes)) in exists
    }
    return unambiguous, set(counties) - exists


def test_county_spellings_of_the_country_resolve(record_property):
    unambiguous, abolished = spellings()
    resolver = district_resolver("100000", CHANGES)
    right = wrong = 0
    misses = []
    for spelling, code in unambiguous.items():
        expected = resolver.resolve(code)  # the public code, through the code changes
        got = resolver.resolve(spelling)
        if got == expected:
            right += 1
        elif got is None:
            misses.append(spelling)
        else:
            wrong += 1
    share = right / len(unambiguous)
    record_property("resolved", f"{right}/{len(unambiguous)} = {share:.2%}")
    print(f"{right} of {len(unambiguous)} spellings ({share:.2%}), {wrong} wrong, "
          f"{len(abolished)} abolished counties left out; missed e.g. {misses[:10]}")  # fmt: skip
    assert wrong == 0
    assert share >= GOAL
    assert len(unambiguous) > 20_000 and len(abolished) < 60


@pytest.mark.parametrize(
    ("jurisdiction_code", "written", "code"),
    [
        ("210000", "喀左", "211324"),
        ("210000", "喀左县", "211324"),
        ("210000", "阜蒙县", "210921"),
        ("210000", "阜蒙", "210921"),
        ("210000", "清原县", "210423"),
        ("210000", "新宾县", "210422"),
        ("210000", "本溪县", "210521"),
        ("210000", "桓仁县", "210522"),
        ("210000", "宽甸县", "210624"),
        ("210000", "岫岩县", "210323"),
        ("100000", "延边州延吉市", "222401"),
        ("100000", "大理州大理市", "532901"),
        ("100000", "锡盟锡林浩特市", "152502"),
        ("100000", "科左中旗", "150521"),
        ("100000", "431181", "431121"),  # 祁阳市 re-coded after the package's vintage
        ("100000", "湖南省永州市祁阳市", "431121"),
        ("100000", "海安县", "320685"),  # its name before it became a city
        ("100000", "仙桃市", "429004"),  # a county-level city under its province
        ("100000", "三水区", "440607"),
    ],
)
def test_short_forms_prefixes_and_changed_codes(jurisdiction_code, written, code):
    assert district_resolver(jurisdiction_code, CHANGES).resolve(written) == code


@pytest.mark.parametrize(
    ("jurisdiction_code", "written", "candidates"),
    [
        ("210000", "铁岭", {"铁岭市铁岭县", "铁岭市（地级）"}),
        ("210000", "朝阳", {"朝阳市朝阳县", "朝阳市（地级）"}),
        ("210000", "本溪", {"本溪市本溪满族自治县", "本溪市（地级）"}),
        ("210000", "阜新", {"阜新市阜新蒙古族自治县", "阜新市（地级）"}),
        ("210000", "抚顺", {"抚顺市抚顺县", "抚顺市（地级）"}),
        ("210000", "辽阳", {"辽阳市辽阳县", "辽阳市（地级）"}),
        ("211200", "铁岭", {"铁岭市铁岭县", "铁岭市（地级）"}),
        ("100000", "朝阳区", {"北京市朝阳区", "长春市朝阳区"}),
    ],
)
def test_ambiguous_names_are_refused_with_their_candidates(jurisdiction_code, written, candidates):
    resolver = district_resolver(jurisdiction_code, CHANGES)
    assert resolver.resolve(written) is None
    assert resolver.is_ambiguous(written)
    assert set(resolver.candidates(written)) == candidates
