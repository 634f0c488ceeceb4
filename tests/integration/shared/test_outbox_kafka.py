"""At-least-once end to end against the real Kafka and PostgreSQL: outbox -> relay -> consumer."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from eco.v1 import evaluation_pb2, events_pb2
from shared import dead_letters, events
from shared.consumer import EventConsumer
from shared.outbox import OutboxRelay, add_event, pending_count
from shared.tracing import trace_scope
from tests.integration.shared.support import APPLIED, applications, record_application
from tests.support import infra
from tests.support.topics import read_from_start

pytestmark = pytest.mark.integration


@pytest.fixture
def engine(engine: sa.Engine) -> sa.Engine:
    """The shared tables (conftest) and the table the test handlers apply events to."""
    with engine.begin() as conn:
        APPLIED.create(conn)
    return engine


@pytest.fixture
def topic() -> str:
    return infra.unique("test.outbox.")


def _commit_event(engine: sa.Engine, topic: str, subject: str) -> str:
    envelope = events.make_envelope(
        source="test", subject_id=subject, payload=evaluation_pb2.CreditChanged(uscc=subject)
    )
    with engine.begin() as conn:
        add_event(conn, topic, envelope)
    return envelope.event_id


def _consumer(engine: sa.Engine, kafka: str, topic: str, group: str) -> EventConsumer:
    return EventConsumer(
        engine,
        kafka,
        group_id=group,
        topics=[topic],
        handlers={"CreditChanged": lambda conn, envelope, _payload: record_application(conn, envelope)},
    )


def _all_values(kafka: str, topic: str, expected: int) -> list[bytes]:
    """Every message on the topic, read from the start once at least `expected` are there."""
    records = read_from_start(
        topic, kafka=kafka, until=lambda seen: len(seen) >= expected, what=f"{expected} messages"
    )
    return [record.value for record in records]


def test_committed_event_reaches_a_consumer_with_its_trace(
    engine: sa.Engine, kafka_bootstrap: str, topic: str
) -> None:
    with trace_scope("trace-outbox-1"):
        event_id = _commit_event(engine, topic, "91330100716105852F")
    relay = OutboxRelay(engine, kafka_bootstrap, client_id="test-relay")
    try:
        assert relay.publish_pending() == 1
    finally:
        relay.stop()
    assert pending_count(engine) == 0

    consumer = _consumer(engine, kafka_bootstrap, topic, infra.unique("g-"))
    try:
        infra.wait_for(
            lambda: consumer.poll_once(500) or consumer.handled, timeout=30, what="the event to be consumed"
        )
    finally:
        consumer.stop()
    assert applications(engine) == [(event_id, "91330100716105852F")]
    envelope = events.decode(_all_values(kafka_bootstrap, topic, 1)[0])
    assert envelope.trace_id == "trace-outbox-1"


def test_rolled_back_transaction_publishes_nothing(
    engine: sa.Engine, kafka_bootstrap: str, topic: str
) -> None:
    doomed = events.make_envelope(
        source="test", subject_id="doomed", payload=evaluation_pb2.CreditChanged(uscc="doomed")
    )
    with pytest.raises(RuntimeError), engine.begin() as conn:
        add_event(conn, topic, doomed)
        raise RuntimeError("state change failed after the event was written")
    kept = _commit_event(engine, topic, "kept")
    relay = OutboxRelay(engine, kafka_bootstrap, client_id="test-relay")
    try:
        assert relay.publish_pending() == 1
    finally:
        relay.stop()
    published = [events.decode(v).event_id for v in _all_values(kafka_bootstrap, topic, 1)]
    assert published == [kept]


def test_consumer_killed_before_offset_commit_redelivers_without_double_apply(
    engine: sa.Engine, pg_url: str, kafka_bootstrap: str, topic: str
) -> None:
    event_id = _commit_event(engine, topic, "crash-subject")
    relay = OutboxRelay(engine, kafka_bootstrap, client_id="test-relay")
    try:
        assert relay.publish_pending() == 1
    finally:
        relay.stop()
    group = infra.unique("g-crash-")

    worker = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.integration.shared.crash_worker",
            pg_url,
            kafka_bootstrap,
            topic,
            group,
        ],
        cwd=infra.REPO,
        env={**os.environ, "PYTHONPATH": str(infra.REPO)},
        timeout=90,
        capture_output=True,
        text=True,
    )
    assert worker.returncode == 17, worker.stderr[-2000:]
    assert applications(engine) == [(event_id, "crash-subject")]  # handled once, offset not committed

    survivor = _consumer(engine, kafka_bootstrap, topic, group)
    try:
        infra.wait_for(
            lambda: survivor.poll_once(500) or survivor.skipped_duplicates, timeout=30, what="the redelivery"
        )
    finally:
        survivor.stop()
    assert survivor.skipped_duplicates == 1  # the event came again...
    assert survivor.handled == 0
    assert applications(engine) == [(event_id, "crash-subject")]  # ...and was not applied twice


class PrivateKafka:
    """A disposable single-node Kafka that a test may stop and start without disturbing others."""

    SCRIPT = str(infra.REPO / "deploy" / "local" / "infra.sh")

    def __init__(self, node_dir: Path) -> None:
        self.node_dir = node_dir
        self.port, self.controller_port = infra.free_port(), infra.free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start (or restart, keeping its data) the node and wait until it answers."""
        args = [str(self.node_dir), str(self.port), str(self.controller_port)]
        subprocess.run(["bash", self.SCRIPT, "kafka-node", *args], check=True, timeout=180)

    def stop(self) -> None:
        subprocess.run(["bash", self.SCRIPT, "kafka-node-stop", str(self.node_dir)], check=True, timeout=120)


@pytest.fixture
def private_kafka(tmp_path: Path) -> Iterator[PrivateKafka]:
    node = PrivateKafka(tmp_path / "kafka-node")
    node.start()
    yield node
    node.stop()


def test_events_wait_in_the_outbox_while_kafka_is_down(
    engine: sa.Engine, private_kafka: PrivateKafka, topic: str
) -> None:
    relay = OutboxRelay(
        engine, private_kafka.bootstrap, client_id="test-relay", poll_seconds=0.1, max_backoff_seconds=1.0
    )
    relay.start()
    try:
        first = _commit_event(engine, topic, "before-outage")
        infra.wait_for(lambda: pending_count(engine) == 0, timeout=60, what="the first event to be published")

        private_kafka.stop()
        # One subject, so one partition: its order is what the key promises to keep.
        during = [_commit_event(engine, topic, "outage-subject") for _ in range(5)]  # commits still succeed
        infra.wait_for(lambda: not relay.healthy, timeout=60, what="the relay to notice the outage")
        assert pending_count(engine) == 5

        private_kafka.start()
        infra.wait_for(
            lambda: pending_count(engine) == 0, timeout=90, what="the outbox to drain after Kafka returned"
        )
    finally:
        relay.stop()
    published = [events.decode(v).event_id for v in _all_values(private_kafka.bootstrap, topic, 6)]
    assert set(published) == {first, *during}
    assert [p for p in published if p in during] == during  # the outage did not reorder the subject's events


def test_an_event_that_keeps_failing_is_set_aside_then_replayed_after_the_fix(
    engine: sa.Engine, kafka_bootstrap: str, topic: str
) -> None:
    # Same subject, so both events share a partition and the good one waits behind the bad one.
    poison = _commit_event(engine, topic, "shared-subject")
    good = _commit_event(engine, topic, "shared-subject")
    _publish_all(engine, kafka_bootstrap, 2)
    fixed = False

    def handler(conn: sa.Connection, envelope: events_pb2.EventEnvelope, _payload: object) -> None:
        if envelope.event_id == poison and not fixed:
            raise ValueError("payload this version cannot handle")
        record_application(conn, envelope)

    group = infra.unique("g-dlq-")

    def consumer() -> EventConsumer:
        return EventConsumer(
            engine,
            kafka_bootstrap,
            group_id=group,
            topics=[topic],
            handlers={"CreditChanged": handler},
            max_attempts=3,
            retry_pause_seconds=0.1,
        )

    first = consumer()
    first.start()
    try:
        infra.wait_for(lambda: first.handled == 1, timeout=60, what="the good event after the bad one")
    finally:
        first.stop()
    assert applications(engine) == [(good, "shared-subject")]
    letters = dead_letters.pending(engine, group)
    assert [(events.decode(row.raw).event_id, row.attempts) for row in letters] == [(poison, 3)]
    assert "payload this version cannot handle" in letters[0].error

    fixed = True  # the bug is fixed: replay the set-aside event
    assert dead_letters.replay(engine, kafka_bootstrap, group) == 1
    second = consumer()
    second.start()
    try:
        infra.wait_for(lambda: second.handled == 1, timeout=60, what="the replayed event")
    finally:
        second.stop()
    assert sorted(applications(engine)) == sorted([(good, "shared-subject"), (poison, "shared-subject")])
    assert dead_letters.pending(engine, group) == []


def _publish_all(engine: sa.Engine, kafka: str, expected: int) -> None:
    relay = OutboxRelay(engine, kafka, client_id="test-relay")
    try:
        assert relay.publish_pending() == expected
    finally:
        relay.stop()


def test_a_failure_in_one_partition_loses_nothing_in_the_others(
    engine: sa.Engine, kafka_bootstrap: str, topic: str
) -> None:
    # Thirty subjects spread over the topic's partitions; the handler fails once, on the first event
    # it sees. poll() has moved every partition forward, so all must be rewound, not just that one.
    sent = [_commit_event(engine, topic, f"subject-{i}") for i in range(30)]
    _publish_all(engine, kafka_bootstrap, 30)
    failed: list[str] = []

    def handler(conn: sa.Connection, envelope: events_pb2.EventEnvelope, _payload: object) -> None:
        if not failed:
            failed.append(envelope.event_id)
            raise ValueError("first attempt fails")
        record_application(conn, envelope)

    consumer = EventConsumer(
        engine,
        kafka_bootstrap,
        group_id=infra.unique("g-parts-"),
        topics=[topic],
        handlers={"CreditChanged": handler},
        retry_pause_seconds=0.1,
    )
    consumer.start()
    try:
        infra.wait_for(lambda: consumer.handled == 30, timeout=60, what="all thirty events")
    finally:
        consumer.stop()
    assert sorted(event_id for event_id, _ in applications(engine)) == sorted(sent)
    assert consumer.dead_lettered == 0


def test_two_relays_on_one_database_keep_a_subjects_order(
    engine: sa.Engine, kafka_bootstrap: str, topic: str
) -> None:
    sent = [_commit_event(engine, topic, "one-subject") for _ in range(300)]
    relays = [
        OutboxRelay(engine, kafka_bootstrap, client_id=f"relay-{n}", poll_seconds=0.01, batch_size=20)
        for n in (1, 2)
    ]
    for relay in relays:
        relay.start()
    try:
        infra.wait_for(lambda: pending_count(engine) == 0, timeout=60, what="both relays to drain the outbox")
    finally:
        for relay in relays:
            relay.stop()
    published = [events.decode(v).event_id for v in _all_values(kafka_bootstrap, topic, 300)]
    assert published == sent
