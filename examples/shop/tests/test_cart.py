import pytest

from shop import Coupon


def test_empty_cart_costs_nothing(cart):
    assert cart.total() == 0


def test_add_merges_lines(cart):
    cart.add("apple", 2)
    cart.add("apple", 3)
    assert cart.lines() == [("apple", 5)]


def test_add_unknown_product(cart):
    with pytest.raises(KeyError):
        cart.add("caviar")


def test_remove_line(cart):
    cart.add("bread")
    cart.remove("bread")
    assert cart.lines() == []


def test_set_quantity_zero_removes(cart):
    cart.add("cheese", 2)
    cart.set_quantity("cheese", 0)
    assert cart.lines() == []


def test_subtotal_of_mixed_cart(cart):
    cart.add("bread", 2)
    cart.add("cheese")
    assert cart.subtotal() == 2 * 249 + 799


def test_total_with_bulk_apples(cart):
    cart.add("apple", 10)
    # 10 * 50 = 500, bulk 10 % -> 450, VAT 19 % -> 535.5 -> 536
    assert cart.total() == 536


def test_total_with_coupon_and_vat(cart):
    cart.add("wine", 2)
    cart.apply_coupon(Coupon("save10", percent=10))
    # 2598 -> 2338.2 -> 2338, VAT 19 % -> 2782.22 -> 2782
    assert cart.total() == 2782
