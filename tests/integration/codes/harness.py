"""Running the code service against real Kafka and PostgreSQL on topics of its own.

Each test gets fresh permits/evaluation topics and a fresh consumer group, so that it reads only
the events it publishes and never shares partitions with another running test.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import grpc
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

from eco.v1 import codes_pb2, codes_pb2_grpc, events_pb2
from services.codes.bootstrap import build
from shared import events
from shared.grpc.client import call_metadata, channel
from shared.outbox import pending_count
from shared.runtime import RunningService
from shared.topology import topic_for
from tests.support import infra
from tests.support.topics import assign_all, create_topics_if_missing, start_group_at_end
from tests.unit.codes import factories


@dataclass
class CodesHarness:
    service: RunningService
    stub: codes_pb2_grpc.CodesServiceStub
    producer: KafkaProducer
    permits_topic: str
    evaluation_topic: str

    def publish(self, envelope: events_pb2.EventEnvelope, *, topic: str) -> None:
        """Publish an envelope as its producer would (keyed by subject, acks=all)."""
        self.producer.send(topic, key=envelope.subject_id.encode(), value=envelope.SerializeToString()).get(
            timeout=10
        )

    def call(self, method: str, request: object, token: str = infra.BUREAU_TOKEN) -> object:
        """Call a CodesService method with a department's token."""
        return getattr(self.stub, method)(request, metadata=call_metadata(token), timeout=10)

    def code_of(self, uscc: str) -> codes_pb2.Code:
        """The enterprise's code, once the registration event has been consumed."""

        def ready() -> codes_pb2.Code | None:
            try:
                return self.call("GetCode", codes_pb2.GetCodeRequest(uscc=uscc))  # type: ignore[return-value]
            except grpc.RpcError as exc:
                if exc.code() == grpc.StatusCode.NOT_FOUND:  # type: ignore[attr-defined]
                    return None
                raise

        return infra.wait_for(ready, timeout=30, what=f"the code of {uscc}")

    def register(self, uscc: str, town: str = "观海卫") -> codes_pb2.Code:
        """Publish EnterpriseRegistered and wait for the code it issues."""
        self.publish(factories.registered(uscc, town=town), topic=self.permits_topic)
        return self.code_of(uscc)

    def wait_until_published(self) -> None:
        """Until the service's outbox is empty: every event it committed is acknowledged by Kafka
        (before reading events "from now", so that an earlier one cannot arrive late)."""
        infra.wait_for(
            lambda: pending_count(self.service.app.engine) == 0,
            timeout=60,
            what="the code service's outbox to drain",
        )


def create_topics(*names: str) -> None:
    """Create topics up front, so the consumer is assigned them at once (not at a metadata refresh)."""
    admin = KafkaAdminClient(bootstrap_servers=infra.KAFKA.split(","))
    try:
        admin.create_topics([NewTopic(name, num_partitions=3, replication_factor=1) for name in names])
    finally:
        admin.close()


@contextmanager
def running_codes(
    start_service: Callable[..., RunningService],
    database_url: str,
    *,
    permits_address: str = "",
    real_permits_topic: bool = False,
) -> Iterator[CodesHarness]:
    """The code service in-process on its own topics, with a producer and a stub.

    `permits_address` is where it looks up enterprises it never saw; `real_permits_topic` makes it
    consume eco.permits.events (from its current end) as a running permits service publishes them."""
    group_id = infra.unique("codes-test-")
    permits_topic, evaluation_topic = infra.unique("test.permits."), infra.unique("test.evaluation.")
    create_topics(evaluation_topic)
    if real_permits_topic:
        permits_topic = topic_for("permits")
        create_topics_if_missing(permits_topic)
        start_group_at_end(group_id, permits_topic)
    else:
        create_topics(permits_topic)
    env = infra.service_env(database_url=database_url, run_dir=Path(tempfile.gettempdir()))
    env["ECO_PERMITS_ADDR"] = permits_address or f"127.0.0.1:{infra.free_port()}"
    service = start_service(
        "codes",
        build,
        database_url,
        keys=factories.keys(),
        topics=[permits_topic, evaluation_topic],
        group_id=group_id,
        env=env,
    )
    producer = KafkaProducer(bootstrap_servers=infra.KAFKA.split(","), acks="all")
    ch = channel(service.address)
    try:
        yield CodesHarness(
            service, codes_pb2_grpc.CodesServiceStub(ch), producer, permits_topic, evaluation_topic
        )
    finally:
        ch.close()
        producer.close()


@contextmanager
def codes_events_from_now() -> Iterator[Callable[[str, int], list[events_pb2.EventEnvelope]]]:
    """Read eco.codes.events from its current end: read(uscc, n) waits for n events about uscc."""
    topic = topic_for("codes")
    create_topics_if_missing(topic)
    consumer = KafkaConsumer(bootstrap_servers=infra.KAFKA.split(","), enable_auto_commit=False)
    partitions = assign_all(consumer, topic)
    consumer.seek_to_end()
    for partition in partitions:
        consumer.position(partition)  # fix the starting point now, before the test acts
    seen: list[events_pb2.EventEnvelope] = []

    def read(uscc: str, count: int) -> list[events_pb2.EventEnvelope]:
        def enough() -> list[events_pb2.EventEnvelope] | None:
            for batch in consumer.poll(timeout_ms=500).values():
                seen.extend(events.decode(m.value) for m in batch)
            mine = [e for e in seen if e.subject_id == uscc]
            return mine if len(mine) >= count else None

        return infra.wait_for(enough, timeout=30, what=f"{count} events about {uscc} on {topic}")

    try:
        yield read
    finally:
        consumer.close()
