import pytest

from shop import Cart, Inventory

CATALOGUE = {"apple": 50, "bread": 249, "cheese": 799, "wine": 1299}


@pytest.fixture
def catalogue():
    return dict(CATALOGUE)


@pytest.fixture
def cart(catalogue):
    return Cart(catalogue, region="DE")


@pytest.fixture
def inventory():
    return Inventory({"apple": 100, "bread": 20, "cheese": 5, "wine": 0})
