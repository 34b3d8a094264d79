"""shop - a small shopping cart: a catalogue, prices, stock and a cart."""

from shop.cart import Cart
from shop.inventory import Inventory, OutOfStock
from shop.pricing import Coupon, PricingError

__all__ = ["Cart", "Coupon", "Inventory", "OutOfStock", "PricingError"]
