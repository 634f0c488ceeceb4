"""Exact means and GB/T 8170-2008 rounding, for every mean that is compared with a limit.

A reading is stored as a double; its decimal value is taken to 15 significant digits (DBL_DIG,
the digits a double holds faithfully; PostgreSQL's float8 -> numeric cast reads it the same way),
so 0.1 is exactly one tenth. Sums and means are then exact fractions: a mean of 0.1 and 0.2 is
0.15, not 0.15000000000000002. Before a mean meets a limit it is rounded to the limit's number of
decimals by GB/T 8170-2008's rules (进舍规则: below 5 drop, above 5 or 5 followed by non-zero
digits raise, an exact 5 keeps the last kept digit even) and compared by its rounded value (修约值
比较法), as REFERENCE.md states for GB 3838 classes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

# DBL_DIG: every decimal of up to 15 significant digits survives a round trip through a double.
SIGNIFICANT_DIGITS = 15
Number = float | int | str | Decimal | Fraction


def exact(value: Number) -> Fraction:
    """The exact decimal value of a reading (a double read to 15 significant digits)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value}")
        return Fraction(Decimal(format(value, f".{SIGNIFICANT_DIGITS}g")))
    return Fraction(Decimal(value) if isinstance(value, str) else value)


def mean(values: Iterable[Number]) -> Fraction | None:
    """The exact arithmetic mean; None for no values."""
    total, count = Fraction(0), 0
    for v in values:
        total += exact(v)
        count += 1
    return total / count if count else None


def decimals(limit: str) -> int:
    """How many decimals a limit is written with in its standard ("1.0" -> 1, "15" -> 0)."""
    exponent = Decimal(limit).as_tuple().exponent
    assert isinstance(exponent, int), f"not a finite limit: {limit}"
    return max(0, -exponent)


def round_half_even(value: Fraction, places: int) -> Fraction:
    """`value` rounded to `places` decimals by GB/T 8170-2008 (an exact half goes to the even digit)."""
    scale = Fraction(10) ** places
    scaled = value * scale
    whole = math.floor(scaled)
    rest = scaled - whole
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and whole % 2 == 1):
        whole += 1
    return Fraction(whole) / scale


def rounded_to(value: Fraction, limit: str) -> Fraction:
    """The value rounded to the limit's decimals: the figure GB/T 8170's comparison uses."""
    return round_half_even(value, decimals(limit))


def at_most(value: Fraction, limit: str) -> bool:
    """Whether the value meets an upper limit (compared by its value rounded to the limit's decimals)."""
    return rounded_to(value, limit) <= Fraction(Decimal(limit))


def at_least(value: Fraction, limit: str) -> bool:
    """Whether the value meets a floor (compared by its value rounded to the limit's decimals)."""
    return rounded_to(value, limit) >= Fraction(Decimal(limit))


def text(value: Fraction, places: int) -> str:
    """The value rounded to `places` decimals (GB/T 8170), written out ("0.15")."""
    rounded = round_half_even(value, places)
    return f"{Decimal(rounded.numerator) / Decimal(rounded.denominator):.{places}f}"
