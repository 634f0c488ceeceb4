"""The consumer that keeps the double-random targets: the registry (permits), credit (evaluation) and
risk level (risk). A group of its own, so the problem ledger's consumer is untouched by it; each
event sets only its own columns of a target, so events from the three topics may come in any order."""

from __future__ import annotations

from collections.abc import Mapping

from google.protobuf.message import Message
from sqlalchemy.engine import Connection

from eco.v1 import evaluation_pb2, events_pb2, permits_pb2, risk_pb2
from services.enforcement.entrypoints import inspection_messages as msg
from services.enforcement.service_layer import inspections
from services.enforcement.service_layer.unit_of_work import Deps
from shared.consumer import EventConsumer, Handler
from shared.topology import topic_for

TOPICS = [topic_for("permits"), topic_for("evaluation"), topic_for("risk")]


def group_for(consumer_group: str) -> str:
    """This consumer's group, named after the service's consumer group: it keeps offsets of its own."""
    return f"{consumer_group}-targets"


GROUP_ID = group_for("enforcement")
Envelope = events_pb2.EventEnvelope


def handlers() -> Mapping[str, Handler]:
    """Event type -> handler."""

    def on_registry(conn: Connection, _envelope: Envelope, payload: Message) -> None:
        assert isinstance(payload, permits_pb2.EnterpriseRegistered | permits_pb2.EnterpriseUpdated)
        inspections.enterprise_registered(conn, **msg.registry_entry(payload.enterprise))

    def on_credit(conn: Connection, _envelope: Envelope, payload: Message) -> None:
        assert isinstance(payload, evaluation_pb2.CreditChanged)
        inspections.credit_changed(conn, uscc=payload.uscc, level=msg.credit_level(payload))

    def on_risk(conn: Connection, _envelope: Envelope, payload: Message) -> None:
        assert isinstance(payload, risk_pb2.RiskLevelChanged)
        inspections.risk_level_changed(conn, uscc=payload.uscc, level=msg.risk_level(payload))

    return {
        "EnterpriseRegistered": on_registry,
        "EnterpriseUpdated": on_registry,
        "CreditChanged": on_credit,
        "RiskLevelChanged": on_risk,
    }


def build(deps: Deps, bootstrap_servers: str, *, group_id: str = GROUP_ID) -> EventConsumer:
    """The consumer of the registry, credit and risk events that feed the targets."""
    return EventConsumer(
        deps.engine, bootstrap_servers, group_id=group_id, topics=TOPICS, handlers=handlers()
    )
