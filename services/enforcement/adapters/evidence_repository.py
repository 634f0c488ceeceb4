"""Queries of evidence items, in chain order."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.enforcement.adapters import records
from services.enforcement.adapters.tables import evidence
from services.enforcement.domain.evidence import Item, Kind
from services.enforcement.domain.values import GeoPoint
from shared import paging
from shared.errors import InvalidArgument


def add(conn: Connection, item: Item) -> None:
    """Append an item (the (case, sequence) key refuses a second item at the same place)."""
    conn.execute(
        evidence.insert().values(
            evidence_id=item.evidence_id,
            case_id=item.case_id,
            sequence=item.sequence,
            kind=item.kind.value,
            description=item.description,
            media_type=item.media_type,
            content_sha256=item.content_sha256,
            content_uri=item.content_uri,
            size_bytes=item.size_bytes,
            stored_here=item.stored_here,
            previous_sha256=item.previous_sha256,
            item_sha256=item.item_sha256,
            source_ref=item.source_ref,
            collected_at=item.collected_at,
            lat=item.location.lat if item.location else None,
            lon=item.location.lon if item.location else None,
            recorded_at=item.recorded_at,
            **records.actor_values("collected_by", item.collected_by),
        )
    )


def _item(row: Any) -> Item:
    return Item(
        evidence_id=row.evidence_id,
        case_id=row.case_id,
        sequence=row.sequence,
        kind=Kind(row.kind),
        description=row.description,
        media_type=row.media_type,
        content_sha256=row.content_sha256,
        content_uri=row.content_uri,
        size_bytes=row.size_bytes,
        previous_sha256=row.previous_sha256,
        item_sha256=row.item_sha256,
        source_ref=row.source_ref,
        collected_at=row.collected_at,
        collected_by=records.actor_of("collected_by", row),
        location=GeoPoint(row.lat, row.lon) if row.lat is not None else None,
        recorded_at=row.recorded_at,
        stored_here=row.stored_here,
    )


def get(conn: Connection, *, evidence_id: str) -> Item | None:
    """One item."""
    row = conn.execute(sa.select(evidence).where(evidence.c.evidence_id == evidence_id)).first()
    return _item(row) if row else None


def chain(conn: Connection, case_id: str) -> list[Item]:
    """A case's whole chain, in order."""
    rows = conn.execute(
        sa.select(evidence).where(evidence.c.case_id == case_id).order_by(evidence.c.sequence)
    )
    return [_item(r) for r in rows]


def page(conn: Connection, case_id: str, *, size: int, after: str | None) -> paging.Page[Item]:
    """One page of a case's chain, in order."""
    total = conn.execute(sa.select(sa.func.count()).where(evidence.c.case_id == case_id)).scalar_one()
    query = sa.select(evidence).where(evidence.c.case_id == case_id)
    if after:
        if not after.isdigit():
            raise InvalidArgument(paging.PAGE_TOKEN, "not a token this service returned")
        query = query.where(evidence.c.sequence > int(after))
    rows = conn.execute(query.order_by(evidence.c.sequence).limit(size + 1))
    return paging.slice_page([_item(r) for r in rows], size, lambda i: str(i.sequence), total)
