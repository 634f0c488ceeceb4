"""Reading permits' events back from the real Kafka topic."""

from __future__ import annotations

import time
from collections.abc import Callable

from google.protobuf.message import Message
from kafka import KafkaConsumer

from eco.v1 import permits_pb2  # noqa: F401  (registers the event types for events.unpack)
from shared import events
from shared.topology import topic_for

TOPIC = topic_for("permits")


def events_about(
    kafka: str,
    subject: str,
    *,
    until_types: set[str],
    timeout: float = 30.0,
    where: Callable[[str, Message], bool] | None = None,
) -> list[tuple[str, Message]]:
    """(type, payload) of the subject's events on the permits topic, in order, once all wanted are seen.

    `where` keeps only the events it accepts: for a subject shared across test runs (a pollutant
    code), it picks this run's events out of the topic's history.
    """
    reader = KafkaConsumer(
        TOPIC,
        bootstrap_servers=kafka.split(","),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    found: list[tuple[str, Message]] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            for messages in reader.poll(timeout_ms=500).values():
                for message in messages:
                    if message.key != subject.encode():
                        continue
                    envelope = events.decode(message.value)
                    assert envelope.subject_id == subject and envelope.source == "permits"
                    payload = events.unpack(envelope)
                    if where is None or where(envelope.type, payload):
                        found.append((envelope.type, payload))
            if until_types <= {t for t, _ in found}:
                return found
    finally:
        reader.close()
    raise AssertionError(
        f"saw only {[t for t, _ in found]} for {subject} on {TOPIC}; wanted {sorted(until_types)}"
    )
