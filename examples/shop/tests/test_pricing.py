import pytest

from shop import Coupon, PricingError
from shop.pricing import line_total, with_vat


def test_line_total_single_item():
    assert line_total(249, 1) == 249


def test_line_total_below_bulk_threshold():
    assert line_total(100, 9) == 900


def test_bulk_discount_at_threshold():
    # 10 items earn 10 % off: 10 * 100 * 0.9
    assert line_total(100, 10) == 900


def test_bulk_discount_above_threshold():
    assert line_total(50, 12) == 540


def test_bulk_discount_rounds_half_up():
    # 11 * 15 = 165 cents, 10 % off = 148.5 -> 149
    assert line_total(15, 11) == 149


def test_percent_coupon():
    assert Coupon("save10", percent=10).apply(2000) == 1800


def test_fixed_coupon_never_below_zero():
    assert Coupon("fiver", cents=500).apply(300) == 0


def test_coupon_code_is_case_insensitive():
    assert Coupon("Spring24", percent=5).matches("  spring24 ")


def test_coupon_needs_exactly_one_kind():
    with pytest.raises(PricingError):
        Coupon("both", percent=5, cents=100)


@pytest.mark.parametrize("region,gross", [("DE", 119), ("FR", 120), ("US", 100)])
def test_vat_by_region(region, gross):
    assert with_vat(100, region) == gross


def test_unknown_region_is_an_error():
    with pytest.raises(PricingError, match="no VAT rate"):
        with_vat(100, "XX")
