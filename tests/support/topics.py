"""Reading a Kafka topic from its start in tests, without a consumer group and without guessing.

A reader that stops after "no message for N seconds" can stop before the first fetch on a loaded
machine; this one keeps polling until the test's own condition holds, or fails saying what it saw.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from kafka import KafkaConsumer, OffsetAndMetadata, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from shared.topics import ensure_topics
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
        assign_all(reader, topic, timeout=timeout)
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


def assign_all(consumer: KafkaConsumer, topic: str, *, timeout: float = 30.0) -> list[TopicPartition]:
    """Assign every partition of `topic` to `consumer` by hand, once the broker knows them.

    A cold broker (the first test of a run) may not have the topic's metadata yet; assigning the
    empty list it reports then makes `seek_to_end()` fail with "No partitions are currently assigned".
    """
    numbers = infra.wait_for(
        lambda: consumer.partitions_for_topic(topic), timeout=timeout, what=f"the partitions of {topic}"
    )
    partitions = [TopicPartition(topic, p) for p in sorted(numbers)]
    consumer.assign(partitions)
    return partitions


def create_topics_if_missing(*topics: str) -> None:
    """Create topics unless they exist already, as the services do (`shared.topics.ensure_topics`)."""
    if topics:  # no names would mean every service's topic
        ensure_topics(infra.KAFKA, list(topics))


def start_group_at_end(group_id: str, *topics: str) -> None:
    """Commit a new consumer group's offsets at the topics' current end, so that a service started
    with it reads only what is published from now on (not the topics' whole history)."""
    consumer = KafkaConsumer(
        bootstrap_servers=infra.KAFKA.split(","), group_id=group_id, enable_auto_commit=False
    )
    try:
        partitions = [p for topic in topics for p in assign_all(consumer, topic)]
        consumer.assign(partitions)
        consumer.seek_to_end()
        consumer.commit({p: OffsetAndMetadata(consumer.position(p), "", -1) for p in partitions})
    finally:
        consumer.close()


def group_from_now(prefix: str, *topics: str) -> str:
    """A new consumer group (named from `prefix`) that starts at the topics' current end, for a
    service under test that must not replay everything earlier tests published on a shared topic."""
    group = infra.unique(prefix)
    create_topics_if_missing(*topics)
    start_group_at_end(group, *topics)
    return group


def group_lag(group_id: str, *topics: str) -> int:
    """How many messages of `topics` the consumer group has not committed yet (a partition it has
    no offset for counts from its beginning). Reads the group's offsets without joining it."""
    reader = KafkaConsumer(
        bootstrap_servers=infra.KAFKA.split(","), group_id=group_id, enable_auto_commit=False
    )
    try:
        partitions = [
            TopicPartition(t, p) for t in topics for p in sorted(reader.partitions_for_topic(t) or ())
        ]
        ends, starts = reader.end_offsets(partitions), reader.beginning_offsets(partitions)
        committed = {p: reader.committed(p) for p in partitions}
        return sum(ends[p] - (committed[p] if committed[p] is not None else starts[p]) for p in partitions)
    finally:
        reader.close(autocommit=False)
