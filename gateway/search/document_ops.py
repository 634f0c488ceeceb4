"""The building blocks of search documents: the operations an event becomes, document ids, and the
few value conversions every builder module (gateway.search.documents, risk_documents) shares.
Pure: no I/O."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import common_pb2


@dataclass(frozen=True)
class Upsert:
    """Merge `doc` into a document (creating it from `defaults` + `doc` if it is missing)."""

    doc_id: str
    doc: dict[str, Any]
    defaults: dict[str, Any] = field(default_factory=dict)
    # Copy town, grid and location from this enterprise's document (permits and outlets carry neither).
    place_from: str = ""
    # Fields computed from the whole merged document (read, merged, then derived: a depot's low items
    # from its stock lines). Only for documents whose events come in order on one partition.
    derive: Callable[[dict[str, Any]], dict[str, Any]] | None = None


@dataclass(frozen=True)
class StationAlarm:
    """Add or remove an open alarm on a station's document; its status follows."""

    doc_id: str
    alarm_id: str
    opened: bool


Op = Upsert | StationAlarm


def doc_id(kind: str, ref: str) -> str:
    """The deterministic id of a document."""
    return f"{kind}:{ref}"


def enum_name(enum_type: Any, value: int, prefix: str) -> str:
    """A proto enum value as a short lower-case word ("PERMIT_CLASS_KEY" -> "key"); "" if unset."""
    return "" if value == 0 else str(enum_type.Name(value)).removeprefix(prefix).lower()


def location(point: common_pb2.GeoPoint) -> dict[str, float] | None:
    """A GeoPoint as the index's geo_point; None when unset."""
    # proto3 cannot tell an unset GeoPoint from (0, 0); nothing the bureau maps lies at (0, 0).
    if point.lat == 0 and point.lon == 0:
        return None
    return {"lat": point.lat, "lon": point.lon}


def time_text(ts: Timestamp) -> str:
    """A Timestamp as ISO 8601 UTC text; "" when unset."""
    return ts.ToDatetime().isoformat() + "Z" if ts.seconds or ts.nanos else ""


def date_text(d: common_pb2.Date) -> str:
    """A Date as YYYY-MM-DD; "" when unset."""
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}" if d.year else ""


def place(town: str, point: common_pb2.GeoPoint) -> dict[str, Any]:
    """The town and location fields of a document (each only when known)."""
    fields: dict[str, Any] = {"town": town} if town else {}
    where = location(point)
    if where:
        fields["location"] = where
    return fields


def text(*parts: str) -> str:
    """The non-empty parts joined by spaces (a document's searchable body)."""
    return " ".join(part for part in parts if part)
