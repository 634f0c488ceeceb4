"""Risk's event consumer: the event types it handles, each translated and passed to its use case.

The registry (eco.permits.events) gives enterprises' towns and locations; exceedances
(eco.monitoring.events) and penalties (eco.enforcement.events) feed the dynamic score, and a penalty
the level (HJ 941-2018 clause 8.2). Each fact is keyed by its id, so redelivery changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC

from google.protobuf.message import Message
from sqlalchemy.engine import Connection

from eco.v1 import enforcement_pb2, events_pb2, monitoring_pb2, permits_pb2
from services.risk.domain.records import Enterprise
from services.risk.domain.score import Event, Signal
from services.risk.domain.values import GeoPoint
from services.risk.service_layer import signals
from services.risk.service_layer.unit_of_work import Deps
from shared.consumer import EventConsumer, Handler
from shared.topology import topic_for

TOPICS = [topic_for("permits"), topic_for("monitoring"), topic_for("enforcement")]
GROUP_ID = "risk"


def enterprise(summary: permits_pb2.EnterpriseSummary) -> Enterprise:
    """The registry's summary as risk keeps it."""
    loc = summary.location
    location = GeoPoint(loc.lat, loc.lon) if summary.HasField("location") and (loc.lat or loc.lon) else None
    return Enterprise(summary.uscc, summary.name, summary.town, location)


def handlers(deps: Deps) -> Mapping[str, Handler]:
    """Event type -> handler, each running in the consumer's dedup transaction."""

    def on_registered(conn: Connection, _envelope: events_pb2.EventEnvelope, payload: Message) -> None:
        assert isinstance(payload, permits_pb2.EnterpriseRegistered | permits_pb2.EnterpriseUpdated)
        signals.registry_changed(deps, conn, enterprise=enterprise(payload.enterprise))

    def on_exceedance(conn: Connection, envelope: events_pb2.EventEnvelope, payload: Message) -> None:
        assert isinstance(payload, monitoring_pb2.ExceedanceDetected)
        e = payload.exceedance
        at = (
            e.opened_at.ToDatetime(tzinfo=UTC)
            if e.HasField("opened_at")
            else envelope.occurred_at.ToDatetime(tzinfo=UTC)
        )
        note = f"{payload.station_name or e.station_id}"
        signals.exceedance_detected(
            deps,
            conn,
            uscc=e.uscc,
            event=Event(Signal.EXCEEDANCE, at, e.exceedance_id or envelope.event_id, note),
        )

    def on_penalty(conn: Connection, envelope: events_pb2.EventEnvelope, payload: Message) -> None:
        assert isinstance(payload, enforcement_pb2.PenaltyDecided)
        d = payload.decision
        at = (
            d.decided_at.ToDatetime(tzinfo=UTC)
            if d.HasField("decided_at")
            else envelope.occurred_at.ToDatetime(tzinfo=UTC)
        )
        note = d.document_number or d.violation
        signals.penalty_decided(
            deps,
            conn,
            uscc=payload.uscc or d.uscc,
            event=Event(Signal.PENALTY, at, payload.case_id or envelope.event_id, note),
        )

    return {
        "EnterpriseRegistered": on_registered,
        "EnterpriseUpdated": on_registered,
        "ExceedanceDetected": on_exceedance,
        "PenaltyDecided": on_penalty,
    }


def build(deps: Deps, bootstrap_servers: str, *, group_id: str = GROUP_ID) -> EventConsumer:
    """The consumer of the registry, exceedances and penalties."""
    return EventConsumer(
        deps.engine, bootstrap_servers, group_id=group_id, topics=TOPICS, handlers=handlers(deps)
    )
