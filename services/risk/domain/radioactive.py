"""Disused radioactive sources and radioactive waste sent to safe disposal, and the safe-disposal rate.

放射性同位素与射线装置安全和防护条例 (2005, revised 2019) art. 32: a user returns a disused sealed
source to its producer (or original exporter), or sends it to a licensed storage facility (城市放射性
废物库), within 3 months of its disuse. The plan's target is a 100 % safe-disposal rate: of the
sources and waste disused by a date, the share safely disposed by that date.
"""

from __future__ import annotations

import calendar
import enum
from dataclasses import dataclass, replace
from datetime import date

from services.risk.domain.values import text
from shared.errors import FailedPrecondition, InvalidArgument

DISPOSAL_MONTHS = 3  # art. 32


def add_months(day: date, months: int) -> date:
    """The corresponding day `months` later; a missing day is the month's last (Civil Code art. 202)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class DisposalRoute(enum.Enum):
    """Where a disused source went."""

    RETURNED_TO_PRODUCER = "returned_to_producer"
    STORAGE_FACILITY = "storage_facility"


class Kind(enum.Enum):
    """A sealed source or a batch of radioactive waste."""

    SOURCE = "source"
    WASTE = "waste"


@dataclass(frozen=True)
class DisusedSource:
    """A disused source (or waste batch) and its disposal, if done."""

    source_id: str
    uscc: str
    kind: Kind
    nuclide: str
    category: int  # GB 18871 / 放射源分类办法: I (most dangerous) .. V, 0 for waste
    serial: str
    disused_on: date
    disposed_on: date | None = None
    route: DisposalRoute | None = None
    receiver: str = ""
    certificate_ref: str = ""

    @property
    def dispose_by(self) -> date:
        """Art. 32's deadline: three months after disuse."""
        return add_months(self.disused_on, DISPOSAL_MONTHS)

    def disposed_by(self, day: date) -> bool:
        """Safely disposed on or before `day`."""
        return self.disposed_on is not None and self.disposed_on <= day


def new_disused(
    *,
    source_id: str,
    uscc: str,
    kind: Kind,
    nuclide: str,
    category: int,
    serial: str,
    disused_on: date,
    today: date,
) -> DisusedSource:
    """A disused source or waste batch, its fields checked."""
    if disused_on > today:
        raise InvalidArgument("disused_on", "is in the future")
    if kind is Kind.SOURCE and category not in (1, 2, 3, 4, 5):
        raise InvalidArgument("category", "a sealed source's category is I..V (1..5)")
    return DisusedSource(
        source_id=source_id,
        uscc=uscc,
        kind=kind,
        nuclide=text("nuclide", nuclide, max_len=20),
        category=category if kind is Kind.SOURCE else 0,
        serial=text("serial", serial, required=kind is Kind.SOURCE, max_len=60),
        disused_on=disused_on,
    )


def dispose(
    s: DisusedSource,
    *,
    route: DisposalRoute | None,
    receiver: str,
    certificate_ref: str,
    on: date,
    today: date,
) -> DisusedSource:
    """The source sent to safe disposal, with the receiver's certificate."""
    if s.disposed_on is not None:
        raise FailedPrecondition(f"source {s.source_id} was already disposed on {s.disposed_on}")
    if route is None:
        raise InvalidArgument("route", "required: returned_to_producer or storage_facility")
    if on > today:
        raise InvalidArgument("disposed_on", "is in the future")
    if on < s.disused_on:
        raise InvalidArgument("disposed_on", f"is before the source was disused ({s.disused_on})")
    return replace(
        s,
        disposed_on=on,
        route=route,
        receiver=text("receiver", receiver, max_len=200),
        certificate_ref=text("certificate_ref", certificate_ref, max_len=200),
    )


@dataclass(frozen=True)
class DisposalRate:
    """The safe-disposal rate at a date."""

    on: date
    disused: int
    disposed: int
    overdue: int  # disused more than 3 months before `on` and not disposed by then

    @property
    def rate(self) -> float:
        """Disposed / disused; 1.0 when nothing was disused (nothing left undisposed)."""
        return 1.0 if self.disused == 0 else self.disposed / self.disused


def disposal_rate(sources: list[DisusedSource], on: date) -> DisposalRate:
    """The rate at the end of `on`: only what was disused by then counts."""
    counted = [s for s in sources if s.disused_on <= on]
    disposed = sum(1 for s in counted if s.disposed_by(on))
    overdue = sum(1 for s in counted if not s.disposed_by(on) and on > s.dispose_by)
    return DisposalRate(on, len(counted), disposed, overdue)
