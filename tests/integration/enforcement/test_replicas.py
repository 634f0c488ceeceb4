"""Two replicas of enforcement's consumer in one group (two processes' worth: an engine and a Kafka
consumer each, one PostgreSQL database), each owning partitions of monitoring's topic, handle copies
of one ExceedanceDetected at the same time: exactly one problem opens, with one evidence item."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from kafka import TopicPartition

from eco.v1 import enforcement_pb2  # noqa: F401  (registers the event types)
from services.enforcement.adapters.content_store import FileStore
from services.enforcement.adapters.tables import evidence, problem_refs, problems
from services.enforcement.bootstrap import make_deps
from services.enforcement.entrypoints import consumers
from services.enforcement.migrations import HISTORY
from shared import events
from shared.clock import SystemClock
from shared.consumer import EventConsumer
from shared.db import make_engine
from shared.kafka import reliable_producer
from shared.migrations import upgrade
from shared.topology import topic_for
from tests.integration.enforcement.test_consumers import _exceedance
from tests.support import infra, topics

pytestmark = pytest.mark.integration
MONITORING = topic_for("monitoring")


@pytest.fixture
def replicas(pg_url: str, kafka_bootstrap: str, tmp_path: Path) -> Iterator[list[EventConsumer]]:
    """Two consumers of one new group (starting at the topics' end), on one migrated database."""
    topics.create_topics_if_missing(*consumers.TOPICS)
    group = infra.unique("enforcement-replicas-")
    topics.start_group_at_end(group, *consumers.TOPICS)
    upgrade(make_engine(pg_url), HISTORY)
    started: list[EventConsumer] = []
    engines = [make_engine(pg_url) for _ in range(2)]
    for engine in engines:
        deps = make_deps(engine, clock=SystemClock(), store=FileStore(tmp_path / "evidence"))
        replica = consumers.build(deps, kafka_bootstrap, group_id=group)
        replica.start()
        started.append(replica)
    yield started
    for replica in started:
        replica.stop()
    for engine in engines:
        engine.dispose()


def _assigned(replica: EventConsumer) -> set[TopicPartition]:
    # The replica's current partitions (its Kafka consumer is made on its first poll).
    consumer = replica._consumer
    return set(consumer.assignment()) if consumer is not None else set()


def test_two_replicas_handling_copies_of_one_alarm_open_one_problem(
    replicas: list[EventConsumer], kafka_bootstrap: str, pg_url: str
) -> None:
    first, second = replicas

    def balanced() -> bool:
        mine, theirs = ({p.partition for p in _assigned(r) if p.topic == MONITORING} for r in (first, second))
        return bool(mine) and bool(theirs) and not mine & theirs and len(mine | theirs) == 3

    infra.wait_for(balanced, timeout=60, what="both replicas to own partitions of the monitoring topic")
    station = infra.unique("W-")
    envelope = events.make_envelope(source="monitoring", subject_id=station, payload=_exceedance(station))
    producer = reliable_producer(kafka_bootstrap, client_id="test-redelivery")
    try:
        # The same event on every partition, twice: each replica gets copies, and handles them while
        # the other handles its own (as after a rebalance that redelivers uncommitted events).
        for _ in range(2):
            for partition in range(3):
                producer.send(
                    MONITORING, key=station.encode(), value=envelope.SerializeToString(), partition=partition
                ).get(timeout=30)
    finally:
        producer.close()

    infra.wait_for(
        lambda: sum(r.handled + r.skipped_duplicates for r in replicas) >= 6,
        timeout=60,
        what="the six copies to be consumed",
    )
    assert first.handled + first.skipped_duplicates >= 2 and second.handled + second.skipped_duplicates >= 2
    assert first.handled + second.handled == 1  # one claim of the event id won; five were duplicates
    engine = make_engine(pg_url)
    with engine.connect() as conn:
        opened = conn.execute(
            sa.select(problems.c.problem_id, problems.c.case_id).where(problems.c.station_id == station)
        ).all()
        assert len(opened) == 1
        refs = (
            conn.execute(
                sa.select(problem_refs.c.source_ref).where(problem_refs.c.problem_id == opened[0].problem_id)
            )
            .scalars()
            .all()
        )
        assert refs == [envelope.event_id]
        items = conn.execute(
            sa.select(sa.func.count()).select_from(evidence).where(evidence.c.case_id == opened[0].case_id)
        ).scalar_one()
        assert items == 1
    engine.dispose()
