"""Small value rules shared by the permits domain: text, numbers, places, dates, actors."""

from __future__ import annotations

import calendar
import math
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from shared.errors import InvalidArgument

# Legal dates (validity, deadlines) are calendar dates in the city's local time.
# Dates a request may carry: from the People's Republic's founding (no record of this registry is
# older) to a horizon far past any permit term. Outside it, date arithmetic (a 5-year term, a
# 60-day range) could leave Python's calendar, and such a date is a typing mistake anyway.
EARLIEST_DATE = date(1949, 1, 1)
LATEST_DATE = date(2200, 12, 31)
# Free text (reasons, notes) may span lines; nothing else may hold a control character.
FREE_TEXT_CONTROLS = frozenset("\n\t")


def add_years(start: date, years: int) -> date:
    """The same day `years` later (29 February becomes 28 February)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


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
    return add_years(valid_from, years) - timedelta(days=1)


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


def no_controls(field: str, value: str, *, free_text: bool = False) -> str:
    """The value unchanged; InvalidArgument if it holds a control character.

    PostgreSQL cannot store NUL at all, and other control characters only garble lists, logs and
    printed permits; free text keeps its line breaks and tabs.
    """
    allowed = FREE_TEXT_CONTROLS if free_text else frozenset()
    for ch in value:
        if unicodedata.category(ch) == "Cc" and ch not in allowed:
            raise InvalidArgument(field, "must not contain control characters")
    return value


def text(
    field: str, value: str, *, required: bool = True, max_len: int = 200, free_text: bool = False
) -> str:
    """A trimmed string, refused when required and empty, too long, or holding control characters."""
    value = no_controls(field, (value or "").strip(), free_text=free_text)
    if required and not value:
        raise InvalidArgument(field, "required")
    if len(value) > max_len:
        raise InvalidArgument(field, f"at most {max_len} characters, got {len(value)}")
    return value


def identifier(field: str, raw: str, *, max_len: int = 60) -> str:
    """A record number or id as typed (permit number, EIA id): trimmed and upper-cased, required."""
    return text(field, raw, max_len=max_len).upper()


def finite(field: str, value: float) -> float:
    """A finite number (NaN and infinities refused)."""
    if not math.isfinite(value):
        raise InvalidArgument(field, f"must be a finite number, got {value}")
    return value


def positive(field: str, value: float) -> float:
    """A finite number above zero."""
    if finite(field, value) <= 0:
        raise InvalidArgument(field, f"must be greater than 0, got {value}")
    return value


def non_negative(field: str, value: float) -> float:
    """A finite number of zero or more."""
    if finite(field, value) < 0:
        raise InvalidArgument(field, f"must not be negative, got {value}")
    return value


@dataclass(frozen=True)
class GeoPoint:
    """A WGS84 position."""

    lat: float
    lon: float


def geo_point(field: str, lat: float, lon: float) -> GeoPoint:
    """A WGS84 point; (0, 0) is taken as missing, since no enterprise sits in the Gulf of Guinea."""
    finite(f"{field}.lat", lat)
    finite(f"{field}.lon", lon)
    if lat == 0 and lon == 0:
        raise InvalidArgument(field, "required (WGS84 latitude and longitude)")
    if not -90 <= lat <= 90:
        raise InvalidArgument(f"{field}.lat", f"must be within -90..90, got {lat}")
    if not -180 <= lon <= 180:
        raise InvalidArgument(f"{field}.lon", f"must be within -180..180, got {lon}")
    return GeoPoint(lat, lon)


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
