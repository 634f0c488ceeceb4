"""Small value rules shared by the permits domain: text, numbers, places, dates, actors."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.errors import InvalidArgument

# Legal dates (validity, deadlines) are calendar dates in the city's local time.
CITY_TZ = ZoneInfo("Asia/Shanghai")
# Upper-case parameter codes shared with monitoring ("COD", "NH3N", "PM", "VOCS", ...).
PARAMETER_CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,19}$")


def local_date(when: datetime) -> date:
    """The calendar date in the city at an instant."""
    return when.astimezone(CITY_TZ).date()


def add_years(start: date, years: int) -> date:
    """The same day `years` later (29 February becomes 28 February)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def term_end(valid_from: date, years: int) -> date:
    """The last valid day of a term of `years` starting on valid_from (a 5-year term from
    2024-01-01 runs to 2028-12-31, as permits print it)."""
    return add_years(valid_from, years) - timedelta(days=1)


def text(field: str, value: str, *, required: bool = True, max_len: int = 200) -> str:
    """A trimmed string, refused when required and empty or when too long."""
    value = (value or "").strip()
    if required and not value:
        raise InvalidArgument(field, "required")
    if len(value) > max_len:
        raise InvalidArgument(field, f"at most {max_len} characters, got {len(value)}")
    return value


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


def parameter_code(field: str, raw: str) -> str:
    """An upper-case parameter code; lower case is upper-cased, "NH3-N" style hyphens refused."""
    code = (raw or "").strip().upper()
    if not PARAMETER_CODE.match(code):
        raise InvalidArgument(
            field, f"must be an upper-case parameter code such as COD, NH3N, SO2; got {raw!r}"
        )
    return code


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
        reason=text("actor.reason", reason, required=reason_required, max_len=1000),
    )
