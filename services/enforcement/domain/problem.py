"""A problem of the ledger: what was found, where, from which source, and what happened to it since.

A problem is about a subject: a station or outlet and a parameter (a river section's ammonia), or an
enterprise. A new alarm on a subject whose problem is still open is appended to that problem rather
than opening a second one, so one pollution episode is one record however often it alarms.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from services.enforcement.domain.values import Actor, GeoPoint, text
from shared.errors import InvalidArgument
from shared.uscc import validate_uscc


class Source(enum.StrEnum):
    """Where a problem came from."""

    EXCEEDANCE = "exceedance"
    DEVICE_FAULT = "device_fault"
    TREATMENT_IDLE = "treatment_idle"
    PETITION = "petition"
    INSPECTION = "inspection"
    HAZARD_OVERDUE = "hazard_overdue"
    MANUAL = "manual"
    WASTE_MANIFEST = "waste_manifest"


class Severity(enum.StrEnum):
    """How urgent a problem is (sets nothing by itself; the ledger sorts and filters by it)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


CATEGORIES = ("water", "air", "noise", "solid_waste", "soil", "radiation", "ecology", "other")


@dataclass(frozen=True)
class Entry:
    """One line of a problem's history: who, when, what, with a note and the source's reference."""

    at: datetime
    actor: Actor
    what: str
    note: str = ""
    source_ref: str = ""


@dataclass(frozen=True)
class ProblemIn:
    """A problem to enter, its fields checked."""

    source: Source
    source_ref: str
    title: str
    description: str
    category: str
    uscc: str
    station_id: str
    parameter: str
    location: GeoPoint | None
    town: str
    grid_id: str
    severity: Severity
    occurred_at: datetime
    actor: Actor

    @property
    def subject(self) -> str:
        """The subject key: station (or outlet) and parameter, else the enterprise."""
        return subject_key(self.station_id, self.uscc, self.parameter)


@dataclass(frozen=True)
class Problem:
    """An entry of the ledger, with the case handling it."""

    problem_id: str
    case_id: str
    fields: ProblemIn
    opened_at: datetime
    history: tuple[Entry, ...] = ()


def subject_key(station_id: str, uscc: str, parameter: str) -> str:
    """'station:<id>/<parameter>' for a monitored point, 'enterprise:<uscc>' otherwise ('' if neither)."""
    if station_id:
        return f"station:{station_id}/{parameter}"
    if uscc:
        return f"enterprise:{uscc}"
    return ""


def problem_in(
    *,
    source: Source | None,
    source_ref: str,
    title: str,
    description: str,
    category: str,
    uscc: str,
    station_id: str,
    parameter: str = "",
    location: GeoPoint | None,
    town: str = "",
    grid_id: str,
    severity: Severity | None,
    occurred_at: datetime,
    actor: Actor,
) -> ProblemIn:
    """A problem's fields checked: source and title required, and a location or a subject."""
    if source is None:
        raise InvalidArgument("source", "required (where the problem came from)")
    category = text("category", category, required=False, max_len=20).lower() or "other"
    if category not in CATEGORIES:
        raise InvalidArgument("category", f"{category!r} is not one of {', '.join(CATEGORIES)}")
    uscc = validate_uscc(uscc, field="uscc") if (uscc or "").strip() else ""
    station_id = text("station_id", station_id, required=False, max_len=64)
    if location is None and not uscc and not station_id:
        raise InvalidArgument("location", "a location, an enterprise (uscc) or a station is required")
    return ProblemIn(
        source=source,
        source_ref=text("source_ref", source_ref, required=False, max_len=200),
        title=text("title", title, max_len=300),
        description=text("description", description, required=False, max_len=4000, free_text=True),
        category=category,
        uscc=uscc,
        station_id=station_id,
        parameter=text("parameter", parameter, required=False, max_len=40).upper(),
        location=location,
        town=text("town", town, required=False, max_len=100),
        grid_id=text("grid_id", grid_id, required=False, max_len=64),
        severity=severity or Severity.MEDIUM,
        occurred_at=occurred_at,
        actor=actor,
    )
