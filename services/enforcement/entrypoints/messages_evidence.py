"""Evidence items as protobuf."""

from __future__ import annotations

from eco.v1 import enforcement_pb2
from services.enforcement.domain.evidence import Item, Kind
from services.enforcement.entrypoints.messages_values import actor, geo
from shared.proto_values import timestamp

pb = enforcement_pb2
KIND = {k: getattr(pb, f"EVIDENCE_KIND_{k.name}") for k in Kind}


def evidence(i: Item, content: bytes | None = None) -> pb.Evidence:
    """An evidence item (content only when asked for and kept here)."""
    return pb.Evidence(
        evidence_id=i.evidence_id,
        case_id=i.case_id,
        sequence=i.sequence,
        kind=KIND[i.kind],
        description=i.description,
        media_type=i.media_type,
        content=content or b"",
        content_uri=i.content_uri,
        content_sha256=i.content_sha256,
        previous_sha256=i.previous_sha256,
        item_sha256=i.item_sha256,
        source_ref=i.source_ref,
        collected_at=timestamp(i.collected_at),
        collected_by=actor(i.collected_by),
        location=geo(i.location),
        recorded_at=timestamp(i.recorded_at),
    )
