"""Small value rules of the risk domain: text, numbers, places, actors, risk levels."""

from __future__ import annotations

import enum
import math
import unicodedata
from dataclasses import dataclass

from shared.errors import InvalidArgument

# Free text (descriptions, reasons, notes) may span lines; nothing else may hold a control character.
FREE_TEXT_CONTROLS = frozenset("\n\t")
EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius


class RiskLevel(enum.IntEnum):
    """Enterprise environmental risk levels (HJ 941-2018 clause 3 and 8); ordered, so max() is the worse."""

    GENERAL = 1  # 一般
    SIGNIFICANT = 2  # 较大
    MAJOR = 3  # 重大

    @property
    def chinese(self) -> str:
        """The level as the standard writes it."""
        return {RiskLevel.GENERAL: "一般", RiskLevel.SIGNIFICANT: "较大", RiskLevel.MAJOR: "重大"}[self]

    def raised(self, steps: int) -> RiskLevel:
        """This level raised by `steps`, capped at MAJOR (HJ 941-2018 clause 8.2: 最高等级为重大)."""
        return RiskLevel(min(int(self) + max(steps, 0), int(RiskLevel.MAJOR)))


def no_controls(field: str, value: str, *, free_text: bool = False) -> str:
    """The value unchanged; InvalidArgument if it holds a control character (PostgreSQL refuses NUL)."""
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


def geo_point(field: str, lat: float, lon: float, *, required: bool = True) -> GeoPoint | None:
    """A WGS84 point; (0, 0) is taken as missing (None when not required)."""
    finite(f"{field}.lat", lat)
    finite(f"{field}.lon", lon)
    if lat == 0 and lon == 0:
        if required:
            raise InvalidArgument(field, "required (WGS84 latitude and longitude)")
        return None
    if not -90 <= lat <= 90:
        raise InvalidArgument(f"{field}.lat", f"must be within -90..90, got {lat}")
    if not -180 <= lon <= 180:
        raise InvalidArgument(f"{field}.lon", f"must be within -180..180, got {lon}")
    return GeoPoint(lat, lon)


def distance_m(a: GeoPoint, b: GeoPoint) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Actor:
    """Who did something and why (department from the caller's credentials)."""

    department: str = ""
    user: str = ""
    reason: str = ""


def actor(department: str, user: str, reason: str, *, reason_required: bool = False) -> Actor:
    """An actor for an audit trail; the reason is required where a rule wants a why."""
    return Actor(
        department=text("actor.department", department, required=False, max_len=100),
        user=text("actor.user", user, required=False, max_len=100),
        reason=text("actor.reason", reason, required=reason_required, max_len=1000, free_text=True),
    )
