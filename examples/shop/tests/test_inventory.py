import pytest

from shop import Cart, Inventory, OutOfStock


def test_available_counts_stock(inventory):
    assert inventory.available("apple") == 100
    assert inventory.available("pear") == 0


def test_reserve_reduces_available(inventory):
    inventory.reserve("bread", 5)
    assert inventory.available("bread") == 15


def test_reserve_more_than_stock(inventory):
    with pytest.raises(OutOfStock) as e:
        inventory.reserve("cheese", 6)
    assert e.value.available == 5


def test_release_returns_items(inventory):
    inventory.reserve("bread", 5)
    inventory.release("bread", 2)
    assert inventory.available("bread") == 17


def test_reserve_cart_is_all_or_nothing(inventory, catalogue):
    cart = Cart(catalogue)
    cart.add("bread", 2)
    cart.add("wine", 1)
    with pytest.raises(OutOfStock):
        inventory.reserve_cart(cart)
    assert inventory.available("bread") == 20


@pytest.mark.network
def test_sync_with_warehouse(inventory):
    assert inventory.sync_with_warehouse({"wine": 12}) == 1
    assert inventory.available("wine") == 12


@pytest.mark.slow
def test_reindex_lists_products_in_stock(inventory):
    assert inventory.reindex() == ["apple", "bread", "cheese"]


def test_empty_inventory_reserves_nothing():
    with pytest.raises(OutOfStock):
        Inventory().reserve("apple", 1)
