"""The risk service's records: assessments, enterprise risk, depots and stock, dispatch orders."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime

from services.risk.domain.classification import AssessmentInput, Classification
from services.risk.domain.score import Adjustment, Score
from services.risk.domain.supplies import Amount
from services.risk.domain.values import Actor, GeoPoint, RiskLevel


class AssessmentSource(enum.Enum):
    """The enterprise's filed self-assessment or the bureau's review."""

    SELF = "self"
    BUREAU = "bureau"


@dataclass(frozen=True)
class Assessment:
    """One graded assessment of an enterprise."""

    assessment_id: str
    uscc: str
    classification: Classification
    inputs: AssessmentInput
    source: AssessmentSource
    assessed_on: date
    review_by: date | None
    document_ref: str
    assessor: Actor
    recorded_at: datetime


@dataclass(frozen=True)
class Enterprise:
    """What risk knows of an enterprise from the registry (permits' events)."""

    uscc: str
    name: str = ""
    town: str = ""
    location: GeoPoint | None = None


@dataclass(frozen=True)
class EnterpriseRisk:
    """An enterprise's current risk: assessed level, adjustments, effective level, dynamic score."""

    uscc: str
    level: RiskLevel | None
    assessed_level: RiskLevel | None
    adjustments: tuple[Adjustment, ...]
    latest_assessment_id: str
    code: str
    open_hazards: int
    overdue_hazards: int
    town: str
    updated_at: datetime
    score: Score


@dataclass(frozen=True)
class StockLine:
    """One item at a depot: on hand, reserved by dispatches, minimum level."""

    item_code: str
    quantity: float
    reserved: float = 0.0
    minimum: float = 0.0
    updated_at: datetime | None = None

    @property
    def low(self) -> bool:
        """Below its minimum."""
        return self.minimum > 0 and self.quantity < self.minimum


@dataclass(frozen=True)
class Depot:
    """A depot of emergency supplies."""

    depot_id: str
    name: str
    location: GeoPoint
    town: str
    department: str
    contact: str
    active: bool
    updated_at: datetime
    stock: tuple[StockLine, ...] = field(default_factory=tuple)


class DispatchStatus(enum.Enum):
    """Dispatched, delivered, returned (unused supplies back in stock)."""

    DISPATCHED = "dispatched"
    DELIVERED = "delivered"
    RETURNED = "returned"


@dataclass(frozen=True)
class OrderLine:
    """Supplies taken from one depot for one order."""

    depot_id: str
    depot_name: str
    item_code: str
    quantity: float
    distance_m: float
    eta_minutes: int
    returned: float = 0.0


@dataclass(frozen=True)
class DispatchOrder:
    """Supplies sent to an emergency."""

    dispatch_id: str
    emergency_id: str
    lines: tuple[OrderLine, ...]
    unmet: tuple[Amount, ...]
    status: DispatchStatus
    dispatched_at: datetime
    actor: Actor
    delivered_at: datetime | None = None
