"""The filters of a search: kind, town, grid, status, time range and bounding box, checked and turned
into Elasticsearch filter clauses (pure functions, no I/O); and the kinds a caller's role may not
read, left out of the hits and the facets alike."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gateway import roles
from gateway.search.bbox import BBox, parse_bbox
from shared.china_time import CHINA_TIME
from shared.errors import InvalidArgument

MAX_VALUE_CHARS = 100


@dataclass(frozen=True)
class SearchFilters:
    """What narrows a search besides its words (empty strings and None: no filter)."""

    town: str = ""
    grid: str = ""
    status: str = ""
    since: datetime | None = None
    until: datetime | None = None
    bbox: BBox | None = None
    # Kinds the caller may not read (petitions for a viewer): never in the hits or the counts.
    hidden_kinds: tuple[str, ...] = ()


def hidden_for(role: str, readers: Mapping[str, Iterable[str]]) -> tuple[str, ...]:
    """The kinds whose readers (kind -> roles, legacy names allowed) do not include `role`."""
    mine = roles.normalise(role)
    return tuple(sorted(k for k, names in readers.items() if mine not in {roles.normalise(n) for n in names}))


def parse_time(field: str, raw: str | None) -> datetime | None:
    """An ISO 8601 date or time -> an aware datetime; without a zone it is China time (UTC+8)."""
    if raw is None or raw.strip() == "":
        return None
    try:
        when = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidArgument(
            field, f"expected an ISO 8601 date or time, e.g. 2026-01-31, got {raw!r}"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=CHINA_TIME)


def parse(
    *, town: str = "", grid: str = "", status: str = "", since: str = "", until: str = "", bbox: str = ""
) -> SearchFilters:
    """Check the raw parameters and build the filters; InvalidArgument names the bad one."""
    for name, value in (("town", town), ("grid", grid), ("status", status)):
        if len(value) > MAX_VALUE_CHARS:
            raise InvalidArgument(name, f"must be at most {MAX_VALUE_CHARS} characters, got {len(value)}")
    start, end = parse_time("since", since), parse_time("until", until)
    if start is not None and end is not None and not start < end:
        raise InvalidArgument("until", f"must be after since, got {until!r} <= {since!r}")
    return SearchFilters(
        town=town.strip(),
        grid=grid.strip(),
        status=status.strip(),
        since=start,
        until=end,
        bbox=parse_bbox(bbox),
    )


def geo_box(bbox: BBox) -> dict[str, Any]:
    """A geo_bounding_box clause on `location` (RFC 7946 west, south, east, north)."""
    box = {"top_left": {"lat": bbox.max_lat, "lon": bbox.min_lon}}
    box["bottom_right"] = {"lat": bbox.min_lat, "lon": bbox.max_lon}
    return {"geo_bounding_box": {"location": box}}


def clauses(filters: SearchFilters) -> list[dict[str, Any]]:
    """The filter clauses: they narrow the hits and the facet counts alike."""
    found: list[dict[str, Any]] = []
    for field in ("town", "grid", "status"):
        value = getattr(filters, field)
        if value:
            found.append({"term": {field: value}})
    if filters.since is not None or filters.until is not None:
        window: dict[str, str] = {}
        if filters.since is not None:
            window["gte"] = filters.since.astimezone(UTC).isoformat()
        if filters.until is not None:
            window["lt"] = filters.until.astimezone(UTC).isoformat()
        found.append({"range": {"time": window}})
    if filters.bbox is not None:
        found.append(geo_box(filters.bbox))
    if filters.hidden_kinds:
        found.append({"bool": {"must_not": [{"terms": {"kind": list(filters.hidden_kinds)}}]}})
    return found
