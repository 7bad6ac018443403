"""The demo generator: deterministic, all programmes, every bad kind, realistic shares."""

from __future__ import annotations

import hashlib

import polars as pl

from pipelines.demo import BAD_KINDS, SERVICE_BAD_KINDS, write_demo
from schemas.idnumbers import checksum_ok
from tests.conftest import TODAY


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_same_files(tmp_path):
    a = write_demo(tmp_path / "a", seed=3, today=TODAY)
    write_demo(tmp_path / "b", seed=3, today=TODAY)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    write_demo(tmp_path / "c", seed=4, today=TODAY)
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")
    assert 4_500 <= a.persons <= 5_500


def test_small_demo_has_every_format_programme_and_bad_kind(tmp_path):
    s = write_demo(tmp_path, seed=7, today=TODAY)
    suffixes = {p.suffix for p in s.files}
    assert suffixes == {".csv", ".xlsx"}
    heads = {p.name: p.read_bytes()[:3] for p in s.files if p.suffix == ".csv"}
    assert any(h == b"\xef\xbb\xbf" for h in heads.values())  # UTF-8 with BOM
    gb = [p for p in s.files if p.suffix == ".csv" and _is_gb18030(p)]
    assert gb, "no GB18030 file"
    assert set(s.bad_rows) == set(BAD_KINDS) | set(SERVICE_BAD_KINDS)
    share = sum(s.bad_rows.values()) / (s.case_rows + s.service_rows)
    assert 0.01 <= share <= 0.02
    text = "".join(
        p.read_bytes().decode("utf-8-sig", errors="ignore") for p in s.files if p.suffix == ".csv"
    )
    for spelling in ("精康融合", "精准康复", "儿童康复救助", "贫困残疾人康复", "集中养护"):
        assert spelling in text


def _is_gb18030(path) -> bool:
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raw.decode("gb18030")
        return True
    return False


def test_ids_are_valid_except_injected(tmp_path):
    s = write_demo(tmp_path, seed=7, today=TODAY)
    path = next(
        p
        for p in s.files
        if p.name.startswith("02_个案")
        and p.read_bytes()[:3] != b"\xef\xbb\xbf"
        and not _is_gb18030(p)
        and p.suffix == ".csv"
    )
    df = pl.read_csv(path, infer_schema=False)
    id_col = next(c for c in df.columns if c in ("身份证号", "公民身份号码", "身份证号码"))
    ids = df.get_column(id_col).drop_nulls().str.replace_all("\u200b", "").str.to_uppercase()
    ids18 = ids.filter(ids.str.len_chars() == 18)
    bad = sum(not checksum_ok(v) for v in ids18.to_list())
    assert ids18.len() > 100
    assert bad <= 0.03 * ids18.len()
