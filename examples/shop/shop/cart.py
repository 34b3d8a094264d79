"""The shopping cart: lines of (sku, quantity) priced from a catalogue."""

from shop import pricing


class Cart:
    """A customer's cart. `catalogue` maps sku -> unit price in cents."""

    def __init__(self, catalogue, region="DE"):
        self._catalogue = catalogue
        self._lines = {}
        self._coupon = None
        self.region = region

    def add(self, sku, quantity=1):
        if sku not in self._catalogue:
            raise KeyError("unknown product %r" % sku)
        if quantity <= 0:
            raise ValueError("add a positive quantity")
        self._lines[sku] = self._lines.get(sku, 0) + quantity

    def remove(self, sku):
        if sku not in self._lines:
            raise KeyError("%r is not in the cart" % sku)
        del self._lines[sku]

    def set_quantity(self, sku, quantity):
        if quantity <= 0:
            self.remove(sku)
        else:
            self._lines[sku] = quantity

    def lines(self):
        return sorted(self._lines.items())

    def apply_coupon(self, coupon):
        self._coupon = coupon

    def subtotal(self):
        """Net cents before coupons: the sum of the line totals."""
        return sum(pricing.line_total(self._catalogue[sku], q) for sku, q in self._lines.items())

    def total(self):
        """Gross cents to pay: subtotal, then the coupon, then VAT."""
        net = self.subtotal()
        if self._coupon is not None:
            net = self._coupon.apply(net)
        return pricing.with_vat(net, self.region)
