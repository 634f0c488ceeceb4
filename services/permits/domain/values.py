"""Small value rules shared by the permits domain: text, numbers, places, dates, actors."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from shared.dates import shift_years
from shared.errors import InvalidArgument
from shared.values import GeoPoint, finite, geo_point, no_controls, non_negative, positive, text

__all__ = ["GeoPoint", "finite", "geo_point", "no_controls", "non_negative", "positive", "text"]

# Legal dates (validity, deadlines) are calendar dates in the city's local time.
# Dates a request may carry: from the People's Republic's founding (no record of this registry is
# older) to a horizon far past any permit term. Outside it, date arithmetic (a 5-year term, a
# 60-day range) could leave Python's calendar, and such a date is a typing mistake anyway.
EARLIEST_DATE = date(1949, 1, 1)
LATEST_DATE = date(2200, 12, 31)


def term_end(valid_from: date, years: int) -> date:
    """The last valid day of a term of `years` starting on valid_from (a 5-year term from
    2024-01-01 runs to 2028-12-31, as permits print it).

    The term counts its first day and ends on the day before the corresponding day `years` later.
    A term from 29 February has no corresponding day in a common year: Civil Code art. 202 puts
    the end on the last day of that month, 28 February (2024-02-29 -> 2029-02-28), never a day
    earlier; a start on 28 February still ends on 27 February (REFERENCE.md, Time limits).
    """
    if (valid_from.month, valid_from.day) == (2, 29) and not calendar.isleap(valid_from.year + years):
        return date(valid_from.year + years, 2, 28)
    return shift_years(valid_from, years) - timedelta(days=1)


def calendar_day(field: str, day: date) -> date:
    """A date inside EARLIEST_DATE..LATEST_DATE, or InvalidArgument naming the field."""
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise InvalidArgument(field, f"{day} is outside {EARLIEST_DATE} .. {LATEST_DATE}")
    return day


def valid_from_in_force(valid_from: date, today: date, field: str = "valid_from") -> date:
    """A permit's first valid day, not after today: a permit is entered when it is in force."""
    if valid_from > today:
        raise InvalidArgument(
            field,
            f"a permit is entered when it is in force; {valid_from} is after today ({today}): "
            "issue it on the day it takes effect",
        )
    return valid_from


def identifier(field: str, raw: str, *, max_len: int = 60) -> str:
    """A record number or id as typed (permit number, EIA id): trimmed and upper-cased, required."""
    return text(field, raw, max_len=max_len).upper()


@dataclass(frozen=True)
class Actor:
    """Who did something and why (department from the caller's credentials)."""

    department: str
    user: str = ""
    reason: str = ""


def actor(department: str, user: str, reason: str, *, reason_required: bool = False) -> Actor:
    """An actor for an audit trail; the reason is required where the law wants a why."""
    return Actor(
        department=department or "",
        user=text("actor.user", user, required=False, max_len=100),
        reason=text("actor.reason", reason, required=reason_required, max_len=1000, free_text=True),
    )
