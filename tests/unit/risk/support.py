"""Reading what a use case wrote to the outbox."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from eco.v1 import risk_pb2  # noqa: F401  (registers the event types for events.unpack)
from services.risk.service_layer.unit_of_work import Deps
from shared import events
from shared.schema import outbox


def published(deps: Deps, event_type: str | None = None) -> list[tuple[str, Any]]:
    """(subject id, payload) of every event in the outbox, in order, optionally of one type."""
    with deps.engine.connect() as conn:
        rows = conn.execute(sa.select(outbox.c.envelope).order_by(outbox.c.id)).scalars().all()
    envelopes = [events.decode(bytes(raw)) for raw in rows]
    return [(e.subject_id, events.unpack(e)) for e in envelopes if event_type is None or e.type == event_type]
