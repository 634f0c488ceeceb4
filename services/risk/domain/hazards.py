"""Hidden hazards (环境安全隐患) and their rectification
(企业突发环境事件隐患排查和治理工作指南（试行）, 2016).

A hazard is found (by the enterprise's own check, an inspection or a report) with a grade and a
rectification deadline; the enterprise reports it rectified with evidence; an officer accepts (it
closes) or rejects (it reopens). The deadline may be moved later once, with a reason, before it
passes, so an extension can never hide a lapse. A hazard still open when its deadline passes has
lapsed: HazardOverdue is announced exactly once per lapse, keyed by the deadline that lapsed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime

from services.risk.domain.values import Actor, GeoPoint, text
from shared.errors import FailedPrecondition, InvalidArgument

MAX_EXTENSIONS = 1


class HazardGrade(enum.Enum):
    """一般隐患 / 重大隐患."""

    GENERAL = "general"
    MAJOR = "major"


class HazardSource(enum.Enum):
    """Who found it."""

    SELF_CHECK = "self_check"
    INSPECTION = "inspection"
    REPORT = "report"


class HazardStatus(enum.Enum):
    """Open (to rectify), rectified (waiting for the officer's check), closed (verified)."""

    OPEN = "open"
    RECTIFIED = "rectified"
    CLOSED = "closed"


@dataclass(frozen=True)
class DeadlineChange:
    """One move of the deadline, kept in the hazard's history."""

    previous: datetime
    deadline: datetime
    reason: str
    actor: Actor
    at: datetime


@dataclass(frozen=True)
class Rectification:
    """The enterprise's report and the officer's check of it."""

    measures: str
    evidence_refs: tuple[str, ...]
    completed_at: datetime
    reported_by: Actor
    accepted: bool | None = None
    check_note: str = ""
    checked_by: Actor | None = None
    checked_at: datetime | None = None


@dataclass(frozen=True)
class Hazard:
    """A hidden hazard at an enterprise."""

    hazard_id: str
    uscc: str
    title: str
    description: str
    grade: HazardGrade
    source: HazardSource
    location: GeoPoint | None
    town: str
    found_at: datetime
    found_by: Actor
    rectify_by: datetime
    required_measures: str
    status: HazardStatus = HazardStatus.OPEN
    # The deadline whose lapse was announced (None: no lapse announced for the current deadline).
    lapsed_deadline: datetime | None = None
    overdue_since: datetime | None = None
    rectification: Rectification | None = None
    deadline_changes: tuple[DeadlineChange, ...] = field(default_factory=tuple)
    closed_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def overdue(self) -> bool:
        """Open past a deadline that lapsed and was not met (rectified-and-waiting is not overdue)."""
        return self.status is HazardStatus.OPEN and self.lapsed_deadline is not None

    def is_due_to_lapse(self, now: datetime) -> bool:
        """True when the current deadline has passed with the hazard open and no lapse announced
        for it yet: the one moment HazardOverdue is published."""
        return (
            self.status is HazardStatus.OPEN
            and now >= self.rectify_by
            and self.lapsed_deadline != self.rectify_by
        )


def new_hazard(
    *,
    hazard_id: str,
    uscc: str,
    title: str,
    description: str,
    grade: HazardGrade | None,
    source: HazardSource | None,
    location: GeoPoint | None,
    town: str,
    found_at: datetime,
    found_by: Actor,
    rectify_by: datetime | None,
    required_measures: str,
    now: datetime,
) -> Hazard:
    """A newly reported hazard, its fields checked."""
    if grade is None:
        raise InvalidArgument("grade", "required: general or major")
    if source is None:
        raise InvalidArgument("source", "required: self_check, inspection or report")
    if found_at > now:
        raise InvalidArgument("found_at", f"{found_at.isoformat()} is in the future")
    if rectify_by is None:
        raise InvalidArgument("rectify_by", "required: the rectification deadline")
    if rectify_by <= found_at:
        raise InvalidArgument("rectify_by", "must be after found_at")
    return Hazard(
        hazard_id=hazard_id,
        uscc=uscc,
        title=text("title", title, max_len=200),
        description=text("description", description, required=False, max_len=4000, free_text=True),
        grade=grade,
        source=source,
        location=location,
        town=town,
        found_at=found_at,
        found_by=found_by,
        rectify_by=rectify_by,
        required_measures=text(
            "required_measures", required_measures, required=False, max_len=4000, free_text=True
        ),
        updated_at=now,
    )


def mark_lapsed(h: Hazard, now: datetime) -> Hazard:
    """The hazard with its current deadline's lapse recorded (the caller publishes HazardOverdue)."""
    if not h.is_due_to_lapse(now):
        raise FailedPrecondition(f"hazard {h.hazard_id} has no unannounced lapse")
    return replace(h, lapsed_deadline=h.rectify_by, overdue_since=h.rectify_by, updated_at=now)


def extend(h: Hazard, *, rectify_by: datetime | None, reason: str, actor: Actor, now: datetime) -> Hazard:
    """Move the deadline later once, with a reason, while it has not passed."""
    reason = text("reason", reason, max_len=1000, free_text=True)
    if rectify_by is None:
        raise InvalidArgument("rectify_by", "required: the new deadline")
    if h.status is not HazardStatus.OPEN:
        raise FailedPrecondition(
            f"hazard {h.hazard_id} is {h.status.value}; only an open hazard's deadline moves"
        )
    if len(h.deadline_changes) >= MAX_EXTENSIONS:
        raise FailedPrecondition(
            f"hazard {h.hazard_id} was already extended once; a deadline is extended at most once"
        )
    if now >= h.rectify_by:
        raise FailedPrecondition(
            f"hazard {h.hazard_id}'s deadline {h.rectify_by.isoformat()} has passed;"
            " an extension is asked before it"
        )
    if rectify_by <= h.rectify_by:
        raise InvalidArgument(
            "rectify_by", f"must be later than the current deadline {h.rectify_by.isoformat()}"
        )
    change = DeadlineChange(h.rectify_by, rectify_by, reason, actor, now)
    return replace(h, rectify_by=rectify_by, deadline_changes=(*h.deadline_changes, change), updated_at=now)


def report_rectified(
    h: Hazard,
    *,
    measures: str,
    evidence_refs: list[str],
    completed_at: datetime | None,
    actor: Actor,
    now: datetime,
) -> Hazard:
    """The enterprise reports the hazard rectified, with its evidence; it waits for an officer."""
    if h.status is not HazardStatus.OPEN:
        raise FailedPrecondition(
            f"hazard {h.hazard_id} is {h.status.value}; only an open hazard is reported rectified"
        )
    measures = text("measures", measures, max_len=4000, free_text=True)
    refs = tuple(text(f"evidence_refs[{i}]", r, max_len=500) for i, r in enumerate(evidence_refs))
    if not refs:
        raise InvalidArgument("evidence_refs", "at least one piece of evidence of the rectification")
    done = completed_at or now
    if done > now:
        raise InvalidArgument("completed_at", "is in the future")
    if done < h.found_at:
        raise InvalidArgument("completed_at", "is before the hazard was found")
    return replace(
        h,
        status=HazardStatus.RECTIFIED,
        rectification=Rectification(measures, refs, done, actor),
        updated_at=now,
    )


def verify(h: Hazard, *, accepted: bool, note: str, actor: Actor, now: datetime) -> Hazard:
    """The officer's check: accepted closes the hazard; rejected reopens it (a note says why)."""
    if h.status is not HazardStatus.RECTIFIED or h.rectification is None:
        raise FailedPrecondition(
            f"hazard {h.hazard_id} is {h.status.value}; only a reported rectification is checked"
        )
    note = text("note", note, required=not accepted, max_len=2000, free_text=True)
    checked = replace(h.rectification, accepted=accepted, check_note=note, checked_by=actor, checked_at=now)
    if accepted:
        return replace(h, status=HazardStatus.CLOSED, rectification=checked, closed_at=now, updated_at=now)
    return replace(h, status=HazardStatus.OPEN, rectification=checked, updated_at=now)
