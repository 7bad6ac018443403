from datetime import date

import polars as pl
import pytest

from schemas.idnumbers import (
    check_char_expr,
    check_digit,
    checksum_ok,
    make_id,
    mask_id,
    mask_name,
    upgrade_15,
    upgrade_15_expr,
)


def test_check_digit_of_the_standard_example():
    # GB 11643-1999 appendix example: 11010519491231002X
    assert check_digit("11010519491231002") == "X"
    assert checksum_ok("11010519491231002X")
    assert not checksum_ok("110105194912310021")


def test_the_check_character_over_a_column_is_the_one_validation_uses():
    frame = pl.DataFrame({"id": ["11010519491231002X", "211202199001011234", "21120A19900101123"]})
    got = frame.select(check_char_expr(pl.col("id"))).to_series().to_list()
    assert got == ["X", check_digit("21120219900101123"), None]  # not digits: no check char


def test_legacy_15_digit_upgrade():
    assert upgrade_15("110105491231002") == "11010519491231002X"
    frame = pl.DataFrame({"id": ["110105491231002", "11010519491231002X", None]})
    got = frame.select(upgrade_15_expr(pl.col("id"))).to_series().to_list()
    assert got == ["11010519491231002X", "11010519491231002X", None]


def test_synthetic_numbers_are_valid_and_carry_birth_date_and_sex():
    n = make_id("211202", date(2007, 5, 31), 13)
    assert checksum_ok(n) and n[6:14] == "20070531" and int(n[16]) % 2 == 1


def test_masks():
    assert mask_id("211202199001011234") == "211202********1234"
    assert mask_id("21120219800101234562") == "211202********4562"  # a certificate number
    assert mask_name("张三明") == "张*明"
    assert mask_name("欧阳小明") == "欧*明"
    assert mask_name("李娜") == "李*"
    assert mask_name("") is None and mask_id(None) is None


@pytest.mark.parametrize("value", ["21120219800101", "欧阳小明", "211202", "2112021980010"])
def test_a_short_value_is_never_shown_whole(value):
    masked = mask_id(value)
    shown = masked.replace("*", "")
    assert masked != value and len(shown) <= 2 and value not in masked
