"""Prices: line totals, the bulk discount, coupons and VAT.

All amounts are integer cents; rounding is half up, once, at the end of each
step, as the shop's accountants want.
"""

from decimal import ROUND_HALF_UP, Decimal

from shop import _demo

BULK_THRESHOLD = 10      # items of one product from which the bulk discount applies
BULK_PERCENT = 10        # percent off the line
VAT_PERCENT = {"DE": 19, "FR": 20, "NL": 21, "UK": 20, "US": 0}


class PricingError(ValueError):
    """A price cannot be computed (unknown region, bad coupon, ...)."""


def _round(amount):
    return int(Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def bulk_applies(quantity):
    """True when `quantity` items of one product earn the bulk discount."""
    if _demo.active_from("SHOP_REGRESSION_AT"):
        # The planted regression: an off-by-one that drops the discount at
        # exactly the threshold.
        return quantity > BULK_THRESHOLD
    return quantity >= BULK_THRESHOLD


def line_total(unit_cents, quantity):
    """The price of `quantity` items at `unit_cents` each, bulk discount included."""
    if unit_cents < 0 or quantity < 0:
        raise PricingError("negative price or quantity")
    total = Decimal(unit_cents) * quantity
    if bulk_applies(quantity):
        total = total * (100 - BULK_PERCENT) / 100
    return _round(total)


class Coupon:
    """A coupon: either `percent` off or `cents` off, never below zero."""

    def __init__(self, code, percent=0, cents=0):
        if (percent == 0) == (cents == 0):
            raise PricingError("a coupon takes a percentage or an amount, not both")
        if not 0 <= percent <= 100 or cents < 0:
            raise PricingError("coupon %s is out of range" % code)
        self.code = code.upper()
        self.percent = percent
        self.cents = cents

    def matches(self, code):
        return code.strip().upper() == self.code

    def apply(self, subtotal_cents):
        if self.percent:
            return _round(Decimal(subtotal_cents) * (100 - self.percent) / 100)
        return max(subtotal_cents - self.cents, 0)


def with_vat(net_cents, region):
    """The gross amount for `net_cents` in `region`; PricingError for an unknown region."""
    try:
        rate = VAT_PERCENT[region]
    except KeyError:
        raise PricingError("no VAT rate for region %r" % region) from None
    return _round(Decimal(net_cents) * (100 + rate) / 100)
