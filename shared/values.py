"""Value rules every service's domain checks its inputs with: text, numbers, places.

The edge (shared.grpc.validation) already refuses control and bidi characters in every request;
these rules are the domain's own guard, so a rule holds however a value arrives (a consumer, a
test, a migration), and they add what the edge cannot know: trimming, required, length, ranges.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

from shared.errors import InvalidArgument

# Free text (reasons, notes, findings) may span lines; nothing else may hold a control character.
FREE_TEXT_CONTROLS = frozenset("\n\t")
EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius


def no_controls(field: str, value: str, *, free_text: bool = False) -> str:
    """The value unchanged; InvalidArgument if it holds a control character.

    PostgreSQL cannot store NUL at all, and other control characters only garble lists, logs and
    printed documents; free text keeps its line breaks and tabs.
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
    """A WGS84 point; (0, 0) is refused as a missing position (nothing here sits in the Gulf of Guinea)."""
    finite(f"{field}.lat", lat)
    finite(f"{field}.lon", lon)
    if lat == 0 and lon == 0:
        raise InvalidArgument(field, "required (WGS84 latitude and longitude)")
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
