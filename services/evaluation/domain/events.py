"""What evaluation announces, as plain domain values; entrypoints/messages.py turns each into its
contract message (evaluation.proto) when the unit of work writes it to the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from services.evaluation.domain.credit import Rating
from services.evaluation.domain.levels import Level
from services.evaluation.domain.periods import Period
from services.evaluation.domain.repair import Repair
from services.evaluation.domain.scorecards import Card


@dataclass(frozen=True)
class CreditChanged:
    uscc: str
    previous_level: Level | None
    rating: Rating


@dataclass(frozen=True)
class CreditRepairRequested:
    repair: Repair


@dataclass(frozen=True)
class CreditRepairDecided:
    repair: Repair


@dataclass(frozen=True)
class ScorecardPublished:
    """A town's or department's scorecard of a finished period (a calendar month)."""

    card: Card
    period: Period
    eco_share: float
