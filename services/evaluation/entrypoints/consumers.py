"""Evaluation's event consumer: every topic that exists, each event type translated to a fact
(entrypoints/facts_in.py) and taken in by one use case (service_layer/intake.py)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from google.protobuf.message import Message
from sqlalchemy.engine import Connection

from eco.v1 import events_pb2
from services.evaluation.entrypoints import facts_in
from services.evaluation.service_layer import intake
from services.evaluation.service_layer.unit_of_work import Deps
from shared.consumer import EventConsumer, Handler
from shared.topology import topic_for

log = logging.getLogger(__name__)

GROUP_ID = "evaluation"
# Its own topic too: a decided credit-repair request reaches the ratings as a fact like any other,
# so a replay rebuilds them.
TOPICS = [topic_for(s) for s in ("permits", "monitoring", "enforcement", "risk", "evaluation")]


def handlers(deps: Deps) -> Mapping[str, Handler]:
    """Event type -> handler, each running in the consumer's dedup transaction."""

    def take(conn: Connection, envelope: events_pb2.EventEnvelope, payload: Message) -> None:
        intake.record(deps, conn, facts_in.to_fact(envelope, payload))

    def take_air_day(conn: Connection, envelope: events_pb2.EventEnvelope, payload: Message) -> None:
        found = facts_in.air_day(envelope, payload)
        if found is None:
            log.warning("DailyAqiComputed %s without a station or date: skipped", envelope.event_id)
            return
        intake.record_air_day(deps, conn, found)

    return {**dict.fromkeys(facts_in.TO_FACT, take), "DailyAqiComputed": take_air_day}


def build(
    deps: Deps, bootstrap_servers: str, *, group_id: str = GROUP_ID, topics: list[str] | None = None
) -> EventConsumer:
    """The consumer of every topic evaluation reads."""
    return EventConsumer(
        deps.engine, bootstrap_servers, group_id=group_id, topics=topics or TOPICS, handlers=handlers(deps)
    )
