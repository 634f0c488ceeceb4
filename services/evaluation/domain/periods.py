"""Dates and periods of a request: the defaults and the checks, in the city's calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from shared.dates import shift_months
from shared.errors import InvalidArgument

MAX_DAYS = 366 * 5


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        """How many calendar days it spans, both ends included."""
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))


def period(start: date | None, end: date | None, today: date) -> Period:
    """[start, end]: end defaults to today, start to 1 January of end's year; checked."""
    end = end or today
    start = start or end.replace(month=1, day=1)
    if start > end:
        raise InvalidArgument("from", f"{start} is after to {end}")
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidArgument("from", f"a period may span at most {MAX_DAYS} days")
    return Period(start, end)


def month_ends(p: Period) -> list[date]:
    """The last day of every calendar month the period touches (the period's own end for its last)."""
    ends, day = [], p.start
    while day <= p.end:
        following = shift_months(day.replace(day=1), 1)
        ends.append(min(following - timedelta(days=1), p.end))
        day = following
    return ends


def last_finished_month(today: date) -> Period:
    """The calendar month before the one `today` falls in (finished: its last day has passed)."""
    first = today.replace(day=1)
    return Period(shift_months(first, -1), first - timedelta(days=1))
