"""Permits' event consumer: the event types it handles, each mapped to its use case."""

from __future__ import annotations

from collections.abc import Mapping

from google.protobuf.message import Message
from sqlalchemy.engine import Connection

from eco.v1 import events_pb2, permits_pb2
from services.permits.entrypoints import messages
from services.permits.service_layer import orders
from services.permits.service_layer.unit_of_work import Deps
from shared.consumer import EventConsumer, Handler
from shared.topology import topic_for

# Enforcement publishes its decisions here; the message type is declared in permits.proto.
TOPICS = [topic_for("enforcement")]
GROUP_ID = "permits"


def handlers(deps: Deps) -> Mapping[str, Handler]:
    """Event type -> handler, each running in the consumer's dedup transaction."""

    def on_suspend_order(conn: Connection, _envelope: events_pb2.EventEnvelope, payload: Message) -> None:
        assert isinstance(payload, permits_pb2.SuspendPermitOrder)
        orders.apply_suspend_order(deps, conn, messages.suspend_order(payload))

    return {"SuspendPermitOrder": on_suspend_order}


def build(deps: Deps, bootstrap_servers: str, *, group_id: str = GROUP_ID) -> EventConsumer:
    """The consumer of enforcement's orders."""
    return EventConsumer(
        deps.engine, bootstrap_servers, group_id=group_id, topics=TOPICS, handlers=handlers(deps)
    )
