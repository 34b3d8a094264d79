"""Knobs that simulate a commit history for insight's demo.

The demo runs the test suite once per simulated commit and sets environment
variables to plant changes from a given step on (see README.md):

    SHOP_STEP            the simulated commit being tested (integer, default 0)
    SHOP_REGRESSION_AT   from this step on, the bulk-discount bug is present
    SHOP_FLAKY_RATE      probability (0..1) that a warehouse sync times out
    SHOP_SEED            seed of those draws (any text; default "0")
    SHOP_SLOW_AT         from this step on, reindexing the warehouse is slow
    SHOP_SLOW_SECONDS    how long it then takes (default 0.3)

With none of them set the package behaves correctly and every test passes.
"""

import os
import random


def _int(name):
    value = os.environ.get(name, "").strip()
    try:
        return int(value)
    except ValueError:
        return None


def step():
    """The simulated commit being tested."""
    return _int("SHOP_STEP") or 0


def active_from(name):
    """True when the knob `name` (a step number) is set and has been reached."""
    start = _int(name)
    return start is not None and step() >= start


_rng = None


def draw():
    """The next number in [0, 1) of the seeded sequence.

    One sequence per process, seeded by SHOP_SEED and SHOP_STEP: the same
    settings give the same draws, and a rerun inside the same pytest process
    draws the next number, so a rerun can pass where the first attempt failed.
    """
    global _rng
    if _rng is None:
        _rng = random.Random("%s:%d" % (os.environ.get("SHOP_SEED", "0"), step()))
    return _rng.random()


def flaky_rate():
    try:
        rate = float(os.environ.get("SHOP_FLAKY_RATE", "0"))
    except ValueError:
        return 0.0
    return min(max(rate, 0.0), 1.0)


def slow_seconds():
    try:
        return max(float(os.environ.get("SHOP_SLOW_SECONDS", "0.3")), 0.0)
    except ValueError:
        return 0.3
