"""The indexer: a consumer of every topic that writes the search documents (DESIGN.md, gateway).

Each event is claimed in the gateway's processed_events table and its documents are written in the
same transaction, so a redelivered event is skipped; the documents are keyed deterministically, so a
replay (rebuild) writes the same ones. Writes use the index's normal 1 s refresh: waiting for a
refresh on every event would make the indexer far slower than the topics.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import elastic_transport
from elasticsearch import ApiError, Elasticsearch
from google.protobuf.message import Message
from sqlalchemy.engine import Connection, Engine

from eco.v1 import events_pb2
from gateway.search import documents, index
from shared.consumer import EventConsumer, Handler
from shared.topology import SERVICES, topic_for

log = logging.getLogger(__name__)

TOPICS = [topic_for(service) for service in SERVICES]


def group_for(consumer_group: str) -> str:
    """The indexer's Kafka consumer group (and processed-events consumer name)."""
    return f"{consumer_group}-indexer"


class SearchWriter:
    """Applies document operations to one index."""

    def __init__(self, es: Elasticsearch, index_name: str) -> None:
        self.es = es
        self.index_name = index_name
        self._ready = False

    def apply(self, ops: Sequence[documents.Op]) -> None:
        """Write the operations; Elasticsearch being away surfaces as ConnectionError (retried)."""
        try:
            if not self._ready:
                index.ensure(self.es, self.index_name)
                self._ready = True
            for op in ops:
                if isinstance(op, documents.StationAlarm):
                    self._station_alarm(op)
                else:
                    self._upsert(op)
        except (elastic_transport.ConnectionError, elastic_transport.ConnectionTimeout) as exc:
            raise ConnectionError(f"Elasticsearch unavailable: {exc}") from exc
        except ApiError as exc:
            if exc.meta.status in (429, 502, 503, 504):
                raise ConnectionError(f"Elasticsearch unavailable: {exc}") from exc
            raise

    def _get(self, doc_id: str) -> dict[str, Any] | None:
        # GET by id is real-time in Elasticsearch: it sees writes not yet refreshed.
        found = self.es.options(ignore_status=404).get(index=self.index_name, id=doc_id)
        return found["_source"] if found.get("found") else None

    def _upsert(self, op: documents.Upsert) -> None:
        doc = dict(op.doc)
        if op.place_from:
            owner = self._get(documents.doc_id("enterprise", op.place_from)) or {}
            for key in ("town", "grid", "location"):
                if key in owner and key not in doc:
                    doc[key] = owner[key]
            # The enterprise's name makes its permits and outlets findable by it.
            if owner.get("title") and "body" in doc:
                doc["body"] = f"{owner['title']} {doc['body']}"
        if op.derive is not None:
            # Read, merge as Elasticsearch will, and add the computed fields (a depot's low items). The
            # document's events come in order on one partition, read by one consumer: nothing writes between.
            current = self._get(op.doc_id) or dict(op.defaults)
            derived = op.derive(merged(current, doc))
            doc = merged(doc, derived)
        if op.defaults:
            self.es.update(index=self.index_name, id=op.doc_id, doc=doc, upsert={**op.defaults, **doc})
        else:
            self.es.update(index=self.index_name, id=op.doc_id, doc=doc, doc_as_upsert=True)

    def _station_alarm(self, op: documents.StationAlarm) -> None:
        # No scripts on this Elasticsearch: read the list and write it back. A station's events come
        # in order on one partition, read by one consumer, so nothing writes in between.
        current = self._get(op.doc_id) or {}
        alarms = [a for a in current.get("open_alarms", []) if a != op.alarm_id]
        if op.opened:
            alarms = sorted([*alarms, op.alarm_id])
        status = "alarm" if alarms else "normal"
        self.es.update(
            index=self.index_name,
            id=op.doc_id,
            doc={"open_alarms": alarms, "status": status},
            doc_as_upsert=True,
        )


def merged(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """`change` merged into `base` object by object, as Elasticsearch merges a partial update."""
    out = dict(base)
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out


def handlers(writer: SearchWriter) -> dict[str, Handler]:
    """Event type -> handler writing that event's documents."""

    def make(build: Any) -> Handler:
        def handle(_conn: Connection, _envelope: events_pb2.EventEnvelope, payload: Message) -> None:
            writer.apply(build(payload))

        return handle

    return {event_type: make(build) for event_type, build in documents.BUILDERS.items()}


def build(
    engine: Engine,
    es: Elasticsearch,
    *,
    bootstrap_servers: str,
    index_prefix: str,
    consumer_group: str,
    topics: Sequence[str] | None = None,
) -> EventConsumer:
    """The indexer's consumer; `topics` defaults to every service's topic (tests pass their own)."""
    writer = SearchWriter(es, index.index_name(index_prefix))
    return EventConsumer(
        engine,
        bootstrap_servers,
        group_id=group_for(consumer_group),
        topics=list(topics or TOPICS),
        handlers=handlers(writer),
    )
