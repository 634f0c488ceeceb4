"""Petitions (信访): their states and statutory deadlines, as pure rules.

信访工作条例 (2022): decide whether to accept a petition within 15 days of receiving it; handle an
accepted one within 60 days of accepting it, extendable once by at most 30 days with a reason. A
period in days starts on the day after the event that starts it and ends at the end of its last
day (Civil Code art. 201, 203), in the city's time (China Standard Time), whatever the hour of the
event. Petitions about the same enterprise and issue within a window are linked, not counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from enum import Enum

from shared.china_time import CHINA_TIME, local_day
from shared.errors import FailedPrecondition, InvalidArgument
from shared.values import GeoPoint, distance_m

ACCEPT_DAYS = 15
HANDLE_DAYS = 60
MAX_EXTENSION_DAYS = 30
LINK_WINDOW = timedelta(days=30)  # local practice, configurable by the service
LINK_DISTANCE_M = 200.0


class Status(Enum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXTENDED = "extended"
    ANSWERED = "answered"
    CLOSED = "closed"


@dataclass(frozen=True)
class Petition:
    petition_id: str
    uscc: str
    category: str
    status: Status
    received_at: datetime
    accept_due_at: datetime
    lat: float | None = None
    lon: float | None = None
    accepted_at: datetime | None = None
    handle_due_at: datetime | None = None
    extension_days: int = 0
    extension_reason: str = ""
    decline_reason: str = ""
    answer: str = ""
    substantiated: bool = False
    answered_at: datetime | None = None
    closed_at: datetime | None = None
    linked_to: str = ""


def end_of_day_after(start: datetime, days: int) -> datetime:
    """The last second of the `days`-th local day after the day of `start` (Civil Code art. 201)."""
    last_day = local_day(start) + timedelta(days=days)
    return datetime.combine(last_day, time(23, 59, 59), CHINA_TIME)


def receive(
    petition_id: str,
    *,
    uscc: str,
    category: str,
    at: datetime,
    lat: float | None = None,
    lon: float | None = None,
) -> Petition:
    """A petition as received, with the deadline for deciding whether to accept it."""
    return Petition(
        petition_id, uscc, category, Status.RECEIVED, at, end_of_day_after(at, ACCEPT_DAYS), lat=lat, lon=lon
    )


def _require(petition: Petition, allowed: tuple[Status, ...], action: str) -> None:
    if petition.status not in allowed:
        raise FailedPrecondition(
            f"petition {petition.petition_id} is {petition.status.value}; it cannot be {action}"
        )


def accept(petition: Petition, *, at: datetime) -> Petition:
    """Accept a received petition: it is to be handled within 60 days."""
    _require(petition, (Status.RECEIVED,), "accepted")
    return replace(
        petition, status=Status.ACCEPTED, accepted_at=at, handle_due_at=end_of_day_after(at, HANDLE_DAYS)
    )


def decline(petition: Petition, *, reason: str) -> Petition:
    """Decline a received petition, with the reason the petitioner is told."""
    _require(petition, (Status.RECEIVED,), "declined")
    if not reason.strip():
        raise InvalidArgument("decline_reason", "required when a petition is not accepted")
    return replace(petition, status=Status.DECLINED, decline_reason=reason.strip())


def extend(petition: Petition, *, days: int, reason: str) -> Petition:
    """The one extension of the handling deadline, by 1 to 30 days, with a reason."""
    if petition.status is Status.EXTENDED:
        raise FailedPrecondition(
            f"petition {petition.petition_id} was extended once already; the regulation allows one extension"
        )
    _require(petition, (Status.ACCEPTED,), "extended")
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise InvalidArgument("days", f"an extension is 1 to {MAX_EXTENSION_DAYS} days")
    if not reason.strip():
        raise InvalidArgument("reason", "an extension needs its reason")
    assert petition.handle_due_at is not None
    return replace(
        petition,
        status=Status.EXTENDED,
        extension_days=days,
        extension_reason=reason.strip(),
        handle_due_at=petition.handle_due_at + timedelta(days=days),
    )


def answer(petition: Petition, *, text: str, substantiated: bool, at: datetime) -> Petition:
    """The written answer to an accepted petition."""
    _require(petition, (Status.ACCEPTED, Status.EXTENDED), "answered")
    if not text.strip():
        raise InvalidArgument("answer", "the answer cannot be empty")
    return replace(
        petition, status=Status.ANSWERED, answer=text.strip(), substantiated=substantiated, answered_at=at
    )


def close(petition: Petition, *, at: datetime) -> Petition:
    """Close an answered or declined petition."""
    _require(petition, (Status.ANSWERED, Status.DECLINED), "closed")
    return replace(petition, status=Status.CLOSED, closed_at=at)


def due_at(petition: Petition) -> datetime | None:
    """The deadline of the petition's current step, if it has one."""
    if petition.status is Status.RECEIVED:
        return petition.accept_due_at
    if petition.status in (Status.ACCEPTED, Status.EXTENDED):
        return petition.handle_due_at
    return None


def is_overdue(petition: Petition, now: datetime) -> bool:
    """Past the deadline of its current step (a deadline is met up to its last second)."""
    due = due_at(petition)
    return due is not None and now > due


def _distance_m(a: Petition, b: Petition) -> float:
    assert a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None
    return distance_m(GeoPoint(a.lat, a.lon), GeoPoint(b.lat, b.lon))


def same_issue(new: Petition, earlier: Petition, window: timedelta = LINK_WINDOW) -> bool:
    """Whether `new` repeats `earlier`: the same category within the window, about the same
    enterprise or, when neither names one, within LINK_DISTANCE_M of the same place."""
    if (
        new.category != earlier.category
        or not timedelta(0) <= new.received_at - earlier.received_at <= window
    ):
        return False
    if new.uscc or earlier.uscc:
        return new.uscc == earlier.uscc
    located = None not in (new.lat, new.lon, earlier.lat, earlier.lon)
    return located and _distance_m(new, earlier) <= LINK_DISTANCE_M


def link(new: Petition, recent: list[Petition], window: timedelta = LINK_WINDOW) -> Petition:
    """`new` linked to the earliest petition it repeats (itself the first of its chain), if any."""
    for earlier in sorted(recent, key=lambda p: p.received_at):
        if earlier.petition_id != new.petition_id and same_issue(new, earlier, window):
            return replace(new, linked_to=earlier.linked_to or earlier.petition_id)
    return new
