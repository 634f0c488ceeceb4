"""Small value rules of the enforcement domain: text, numbers, places, actors, owners."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

from shared.errors import InvalidArgument

# Free text (notes, findings) may span lines; nothing else may hold a control character.
FREE_TEXT_CONTROLS = frozenset("\n\t")


def text(
    field: str, value: str, *, required: bool = True, max_len: int = 200, free_text: bool = False
) -> str:
    """A trimmed string, refused when required and empty, too long, or holding control characters.

    PostgreSQL cannot store NUL at all, and other control characters only garble ledgers and logs.
    """
    value = (value or "").strip()
    allowed = FREE_TEXT_CONTROLS if free_text else frozenset()
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value):
        raise InvalidArgument(field, "must not contain control characters")
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


@dataclass(frozen=True)
class GeoPoint:
    """A WGS84 position."""

    lat: float
    lon: float


def geo_point(field: str, lat: float, lon: float) -> GeoPoint:
    """A WGS84 point; (0, 0) is refused as a missing position (no problem sits in the Gulf of Guinea)."""
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
    """Who did something and why (the department comes from the caller's credentials)."""

    department: str
    user: str = ""
    reason: str = ""


def actor(department: str, user: str, reason: str, *, field: str = "actor") -> Actor:
    """An actor for a ledger entry, its texts checked."""
    return Actor(
        department=department or "",
        user=text(f"{field}.user", user, required=False, max_len=100),
        reason=text(f"{field}.reason", reason, required=False, max_len=1000, free_text=True),
    )


@dataclass(frozen=True)
class Assignee:
    """The owner of a case's current stage: a department, optionally a person or a commissioner."""

    department: str = ""
    user: str = ""
    commissioner_id: str = ""


def assignee(field: str, department: str, user: str, commissioner_id: str) -> Assignee:
    """An owner; at least a department or a commissioner."""
    owner = Assignee(
        text(f"{field}.department", department, required=False, max_len=100),
        text(f"{field}.user", user, required=False, max_len=100),
        text(f"{field}.commissioner_id", commissioner_id, required=False, max_len=64),
    )
    if not owner.department and not owner.commissioner_id:
        raise InvalidArgument(field, "a department or a commissioner is required")
    return owner
