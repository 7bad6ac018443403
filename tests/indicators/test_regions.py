import pytest

from pipelines.indicators.regions import DistrictResolver, geometry, jurisdiction


@pytest.mark.parametrize(
    ("code", "name", "count"),
    [
        ("211200", "铁岭市", 7),
        ("210000", "辽宁省", 100),
        ("100000", "全国", 2875),
        ("110000", "北京市", 16),
    ],
)
def test_jurisdictions_list_their_county_level_units(code, name, count):
    j = jurisdiction(code)
    assert (j.name, len(j.units)) == (name, count)


def test_tieling_districts():
    assert [u.name for u in jurisdiction("211200").units] == [
        "银州区", "清河区", "铁岭县", "西丰县", "昌图县", "调兵山市", "开原市",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("昌图县", "211224"),
        ("昌图", "211224"),
        ("铁岭市昌图县", "211224"),
        ("辽宁省铁岭市昌图县", "211224"),
        (" 开原 ", "211282"),
        ("211202", "211202"),
        ("211202.0", "211202"),
        ("调兵山", "211281"),
        ("210102", None),  # 沈阳市和平区: not in the jurisdiction
        ("沈阳市和平区", None),
        ("", None),
    ],
)
def test_resolver(written, code):
    assert DistrictResolver(jurisdiction("211200")).resolve(written) == code


def test_ambiguous_short_forms_are_not_guessed_nationally():
    r = DistrictResolver(jurisdiction("100000"))
    assert r.resolve("朝阳区") is None  # Beijing and Changchun both have one
    assert r.resolve("北京市朝阳区") == "110105"
    assert r.resolve("吉林省长春市朝阳区") == "220104"


def test_geometry_is_geojson():
    g = geometry("211224")
    assert g["type"] in ("Polygon", "MultiPolygon") and g["coordinates"]
