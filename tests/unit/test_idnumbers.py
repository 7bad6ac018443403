from datetime import date

import pytest

from schemas.idnumbers import (
    birth_date,
    check_digit,
    checksum_ok,
    gender,
    make_id,
    mask_id,
    mask_name,
    upgrade_15,
)


def test_check_digit_of_the_standard_example():
    # GB 11643-1999 appendix example: 11010519491231002X
    assert check_digit("11010519491231002") == "X"
    assert checksum_ok("11010519491231002X")
    assert not checksum_ok("110105194912310021")


def test_legacy_15_digit_upgrade():
    assert upgrade_15("110105491231002") == "11010519491231002X"


def test_birth_date_and_gender_come_from_the_number():
    n = make_id("211202", date(2007, 5, 31), 13)
    assert birth_date(n) == date(2007, 5, 31)
    assert gender(n) == "男"
    assert birth_date("211202199913450010") is None


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
