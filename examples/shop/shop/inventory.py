"""Stock levels, reservations and the link to the warehouse."""

import time

from shop import _demo


class OutOfStock(Exception):
    """Not enough items of a product to reserve."""

    def __init__(self, sku, wanted, available):
        super().__init__("%s: wanted %d, %d available" % (sku, wanted, available))
        self.sku = sku
        self.wanted = wanted
        self.available = available


class WarehouseTimeout(TimeoutError):
    """The warehouse did not answer in time."""


class Inventory:
    """Items on hand and items reserved by carts being checked out."""

    def __init__(self, stock=None):
        self._stock = dict(stock or {})
        self._reserved = {}

    def available(self, sku):
        return self._stock.get(sku, 0) - self._reserved.get(sku, 0)

    def reserve(self, sku, quantity):
        if quantity <= 0:
            raise ValueError("reserve a positive quantity")
        if self.available(sku) < quantity:
            raise OutOfStock(sku, quantity, self.available(sku))
        self._reserved[sku] = self._reserved.get(sku, 0) + quantity

    def release(self, sku, quantity):
        held = self._reserved.get(sku, 0)
        if quantity > held:
            raise ValueError("%s: releasing %d, only %d reserved" % (sku, quantity, held))
        self._reserved[sku] = held - quantity

    def restock(self, sku, quantity):
        if quantity <= 0:
            raise ValueError("restock a positive quantity")
        self._stock[sku] = self._stock.get(sku, 0) + quantity

    def reserve_cart(self, cart):
        """Reserve every line of `cart`, all or nothing."""
        done = []
        try:
            for sku, quantity in cart.lines():
                self.reserve(sku, quantity)
                done.append((sku, quantity))
        except OutOfStock:
            for sku, quantity in done:
                self.release(sku, quantity)
            raise

    def sync_with_warehouse(self, counts):
        """Take the warehouse's counts; WarehouseTimeout when the link drops."""
        if _demo.draw() < _demo.flaky_rate():
            raise WarehouseTimeout("warehouse did not answer within 2s")
        for sku, quantity in counts.items():
            self._stock[sku] = quantity
        return len(counts)

    def reindex(self):
        """Rebuild the search index of products in stock; returns the skus in stock."""
        time.sleep(_demo.slow_seconds() if _demo.active_from("SHOP_SLOW_AT") else 0.01)
        return sorted(sku for sku in self._stock if self.available(sku) > 0)
