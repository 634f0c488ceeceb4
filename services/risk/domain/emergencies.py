"""Emergencies (突发环境事件): declared at a place with a kind and a grade (国家突发环境事件应急预案,
2014: I 特别重大, II 重大, III 较大, IV 一般), responding once supplies leave, closed with a summary."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime

from services.risk.domain.supplies import KINDS, Amount
from services.risk.domain.values import Actor, GeoPoint, non_negative, text
from shared.errors import FailedPrecondition, InvalidArgument

GRADES = (1, 2, 3, 4)


class EmergencyStatus(enum.Enum):
    """Declared, responding (supplies dispatched), closed."""

    DECLARED = "declared"
    RESPONDING = "responding"
    CLOSED = "closed"


@dataclass(frozen=True)
class Emergency:
    """An emergency at a location."""

    emergency_id: str
    title: str
    kind: str
    grade: int
    location: GeoPoint
    radius_m: float
    town: str
    uscc: str
    description: str
    status: EmergencyStatus
    needs: tuple[Amount, ...]
    declared_at: datetime
    declared_by: Actor
    dispatch_ids: tuple[str, ...] = ()
    closed_at: datetime | None = None
    summary: str = ""

    @property
    def subject(self) -> str:
        """The event key: the enterprise where it started, else the emergency itself."""
        return self.uscc or self.emergency_id


def grade_or_raise(field: str, grade: int) -> int:
    """A grade I..IV as 1..4."""
    if grade not in GRADES:
        raise InvalidArgument(field, "required: I, II, III or IV")
    return grade


def new_emergency(
    *,
    emergency_id: str,
    title: str,
    kind: str,
    grade: int,
    location: GeoPoint,
    radius_m: float,
    town: str,
    uscc: str,
    description: str,
    needs: tuple[Amount, ...],
    occurred_at: datetime,
    actor: Actor,
    now: datetime,
) -> Emergency:
    """A newly declared emergency, its fields checked."""
    if kind not in KINDS:
        raise InvalidArgument("kind", f"one of {', '.join(KINDS)}, got {kind!r}")
    if occurred_at > now:
        raise InvalidArgument("occurred_at", "is in the future")
    return Emergency(
        emergency_id=emergency_id,
        title=text("title", title, max_len=200),
        kind=kind,
        grade=grade_or_raise("grade", grade),
        location=location,
        radius_m=non_negative("radius_m", radius_m),
        town=town,
        uscc=uscc,
        description=text("description", description, required=False, max_len=4000, free_text=True),
        status=EmergencyStatus.DECLARED,
        needs=needs,
        declared_at=occurred_at,
        declared_by=actor,
    )


def open_or_raise(e: Emergency) -> None:
    """FAILED_PRECONDITION for a closed emergency."""
    if e.status is EmergencyStatus.CLOSED:
        raise FailedPrecondition(f"emergency {e.emergency_id} is closed")


def regrade(e: Emergency, grade: int) -> Emergency:
    """The emergency with a new grade (a different one)."""
    open_or_raise(e)
    grade = grade_or_raise("grade", grade)
    if grade == e.grade:
        raise FailedPrecondition(f"emergency {e.emergency_id} already has grade {grade}")
    return replace(e, grade=grade)


def dispatched(e: Emergency, dispatch_id: str) -> Emergency:
    """The emergency responding, with one more dispatch."""
    open_or_raise(e)
    return replace(e, status=EmergencyStatus.RESPONDING, dispatch_ids=(*e.dispatch_ids, dispatch_id))


def close(e: Emergency, *, summary: str, now: datetime) -> Emergency:
    """The emergency closed with its summary."""
    open_or_raise(e)
    return replace(
        e,
        status=EmergencyStatus.CLOSED,
        summary=text("summary", summary, max_len=8000, free_text=True),
        closed_at=now,
    )
