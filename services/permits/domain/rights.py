"""The discharge-rights ledger (排污权): pollutants, quantities and movements.

Quantities are tonnes per year on the wire and whole grams per year in the database, so that
"reserve + holdings = cap" is checked with exact integer sums, not floating point.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from services.permits.domain import values
from services.permits.domain.values import Actor
from shared.errors import InvalidArgument

# The five pollutants under total-quantity control that the plan trades rights in.
POLLUTANTS = ("COD", "NH3N", "SO2", "NOX", "VOCS")
RESERVE = "RESERVE"
GRAMS_PER_TONNE = 1_000_000
# Far above any city's cap; keeps sums well inside a 64-bit integer.
MAX_TONNES = 10_000_000


class EntryKind(enum.StrEnum):
    """Kinds of ledger movement."""

    CAP_SET = "cap_set"
    ALLOCATION = "allocation"
    TRANSFER = "transfer"
    RETURN = "return"


@dataclass(frozen=True)
class Entry:
    """One movement: who, when, why. A cap change has from_holder "" and a signed amount."""

    entry_id: int
    kind: EntryKind
    pollutant: str
    from_holder: str
    to_holder: str
    grams: int
    actor: Actor
    at: datetime


@dataclass(frozen=True)
class Position:
    """Cap, reserve and holdings of one pollutant, in grams."""

    pollutant: str
    cap: int
    reserve: int
    holdings: dict[str, int]


def pollutant(raw: str) -> str:
    """One of the five ledger pollutants (lower case accepted)."""
    code = (raw or "").strip().upper()
    if code not in POLLUTANTS:
        raise InvalidArgument("pollutant", f"must be one of {', '.join(POLLUTANTS)}, got {raw!r}")
    return code


def to_grams(field: str, tonnes: float, *, allow_zero: bool = False) -> int:
    """Tonnes/year as whole grams; negative, NaN, infinite, too large or (unless allowed) zero refused."""
    values.finite(field, tonnes)
    if tonnes < 0 or (tonnes == 0 and not allow_zero):
        raise InvalidArgument(field, f"must be greater than 0 tonnes, got {tonnes}")
    if tonnes > MAX_TONNES:
        raise InvalidArgument(field, f"must be at most {MAX_TONNES} tonnes, got {tonnes}")
    grams = round(tonnes * GRAMS_PER_TONNE)
    if grams == 0 and not allow_zero:
        raise InvalidArgument(field, f"{tonnes} t is below the ledger's resolution of 1 g")
    return grams


def to_tonnes(grams: int) -> float:
    """Grams as tonnes for the wire."""
    return grams / GRAMS_PER_TONNE
