"""What enforcement announces, as plain domain values; entrypoints/messages.py turns each into its
contract message (enforcement.proto, and permits.proto's SuspendPermitOrder) in the outbox.

Past tense for facts, imperative for the one order; the contract's name of each is the class name.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.enforcement.domain.case import Case, Stage
from services.enforcement.domain.evidence import Item
from services.enforcement.domain.grids import Grid
from services.enforcement.domain.problem import Problem
from services.enforcement.domain.values import Actor


@dataclass(frozen=True)
class ProblemOpened:
    problem: Problem
    case: Case
    new_case: bool


@dataclass(frozen=True)
class CaseAdvanced:
    case: Case
    from_stage: Stage
    actor: Actor


@dataclass(frozen=True)
class CaseAssigned:
    case: Case


@dataclass(frozen=True)
class CaseEscalated:
    case: Case
    reason: str  # "overdue", "manual" or "severity"


@dataclass(frozen=True)
class EvidenceAdded:
    item: Item


@dataclass(frozen=True)
class PenaltyDecided:
    case: Case


@dataclass(frozen=True)
class ViolationWaived:
    case: Case


@dataclass(frozen=True)
class RectificationOverdue:
    """A decided case's rectification date passed with no verified rectification (once per date)."""

    case: Case
    days_overdue: int


@dataclass(frozen=True)
class ProblemClosed:
    problem: Problem
    case: Case


@dataclass(frozen=True)
class GridChanged:
    grid: Grid


@dataclass(frozen=True)
class SuspendPermitOrder:
    """Permits suspends the permit (it consumes this from enforcement's topic)."""

    uscc: str
    permit_number: str
    case_id: str
    reason: str
