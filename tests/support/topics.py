"""Reading a Kafka topic from its start in tests, without a consumer group and without guessing.

A reader that stops after "no message for N seconds" can stop before the first fetch on a loaded
machine; this one keeps polling until the test's own condition holds, or fails saying what it saw.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from tests.support import infra


def read_from_start(
    topic: str,
    *,
    until: Callable[[list[ConsumerRecord]], bool],
    kafka: str = infra.KAFKA,
    timeout: float = 30.0,
    what: str = "the expected messages",
) -> list[ConsumerRecord]:
    """Every message of `topic` from offset 0 on, once `until(messages)` holds."""
    reader = KafkaConsumer(bootstrap_servers=kafka.split(","), enable_auto_commit=False, group_id=None)
    seen: list[ConsumerRecord] = []
    try:
        partitions = infra.wait_for(
            lambda: reader.partitions_for_topic(topic), timeout=timeout, what=f"topic {topic} to exist"
        )
        reader.assign([TopicPartition(topic, p) for p in sorted(partitions)])
        reader.seek_to_beginning()

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for batch in reader.poll(timeout_ms=500).values():
                seen.extend(batch)
            if until(seen):
                return seen
        raise AssertionError(
            f"timed out after {timeout}s waiting for {what} on {topic}; saw {len(seen)} messages"
        )
    finally:
        reader.close()
