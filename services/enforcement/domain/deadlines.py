"""Stage deadlines and escalation.

How long each stage may take is local practice, not national law, so it is versioned data (a table
seeded from data/stage_deadlines.json): a case records the edition its deadlines came from. When a
stage's deadline passes the case escalates one level, grid → town → city, once for that lapse; the
new level's owner gets a fresh period for the stage, and a second lapse escalates again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from services.enforcement.domain.case import Case, Stage

GRID, TOWN, CITY, CITY_GOVERNMENT = 0, 1, 2, 3
LEVEL_NAMES = {GRID: "grid", TOWN: "town", CITY: "city bureau", CITY_GOVERNMENT: "city government"}
# The periodic worker raises an overdue case to the city bureau at most; above it only by hand.
AUTOMATIC_CEILING = CITY


@dataclass(frozen=True)
class Schedule:
    """One edition of the stage deadlines: hours allowed per open stage."""

    version: str
    hours: dict[Stage, int]

    def due(self, stage: Stage, start: datetime) -> datetime | None:
        """The deadline of `stage` entered at `start` (None for a stage without one, e.g. CLOSED)."""
        hours = self.hours.get(stage)
        return start + timedelta(hours=hours) if hours else None


@dataclass(frozen=True)
class Escalation:
    """One escalation: the lapse it answers, the new level and the new deadline."""

    lapse: datetime
    level: int
    due_at: datetime | None


def overdue_escalation(case: Case, now: datetime, schedule: Schedule) -> Escalation | None:
    """The escalation an overdue case is owed now, or None (not overdue, already escalated for this
    lapse, or at the ceiling)."""
    if not case.overdue(now) or case.due_at is None:
        return None
    if case.escalated_lapse is not None and case.escalated_lapse >= case.due_at:
        return None
    if case.escalation_level >= AUTOMATIC_CEILING:
        return None
    return Escalation(case.due_at, case.escalation_level + 1, schedule.due(case.stage, now))


def escalated(case: Case, step: Escalation, at: datetime) -> Case:
    """The case after an escalation."""
    return replace(
        case, escalation_level=step.level, escalated_lapse=step.lapse, due_at=step.due_at, updated_at=at
    )
