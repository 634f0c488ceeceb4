"""A bounding box in WGS 84 degrees, parsed from the API's `bbox` parameter."""

from __future__ import annotations

import math
from dataclasses import dataclass

from shared.errors import InvalidArgument


@dataclass(frozen=True)
class BBox:
    """A bounding box in WGS 84 degrees (RFC 7946 section 5 order: west, south, east, north)."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


def parse_bbox(raw: str | None) -> BBox | None:
    """`min_lon,min_lat,max_lon,max_lat` -> BBox; InvalidArgument("bbox", why) if malformed."""
    if raw is None or raw.strip() == "":
        return None
    parts = raw.split(",")
    if len(parts) != 4:
        raise InvalidArgument("bbox", f"expected 4 numbers min_lon,min_lat,max_lon,max_lat, got {len(parts)}")
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        raise InvalidArgument(
            "bbox", f"expected 4 numbers min_lon,min_lat,max_lon,max_lat, got {raw!r}"
        ) from None
    if not all(math.isfinite(n) for n in numbers):
        raise InvalidArgument("bbox", "numbers must be finite")
    min_lon, min_lat, max_lon, max_lat = numbers
    for value, name in ((min_lon, "min_lon"), (max_lon, "max_lon")):
        if not -180 <= value <= 180:
            raise InvalidArgument("bbox", f"{name} must lie in -180..180, got {value}")
    for value, name in ((min_lat, "min_lat"), (max_lat, "max_lat")):
        if not -90 <= value <= 90:
            raise InvalidArgument("bbox", f"{name} must lie in -90..90, got {value}")
    if not min_lon < max_lon:
        raise InvalidArgument("bbox", f"min_lon must be less than max_lon, got {min_lon} >= {max_lon}")
    if not min_lat < max_lat:
        raise InvalidArgument("bbox", f"min_lat must be less than max_lat, got {min_lat} >= {max_lat}")
    return BBox(min_lon, min_lat, max_lon, max_lat)
