"""Fixtures: a permits service started in-process on PostgreSQL and real Kafka, with a manual clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import grpc
import pytest
from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from eco.v1 import permits_pb2_grpc
from services.permits import bootstrap
from services.permits.entrypoints.consumers import TOPICS
from shared.clock import ManualClock
from shared.grpc.client import call_metadata, channel
from shared.runtime import RunningService
from tests.support import infra
from tests.support.topics import group_from_now

# 02:00 UTC is 10:00 in Cixi.
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@dataclass
class Permits:
    """A running permits service and a client of it."""

    service: RunningService
    stub: permits_pb2_grpc.PermitsServiceStub
    clock: ManualClock
    channel: grpc.Channel

    @property
    def address(self) -> str:
        return self.service.address

    def md(self, token: str = infra.BUREAU_TOKEN) -> tuple[tuple[str, str], ...]:
        """Call metadata for a department's token."""
        return call_metadata(token)

    def new_stub(self) -> tuple[grpc.Channel, permits_pb2_grpc.PermitsServiceStub]:
        """Another client with its own channel (for concurrent callers)."""
        ch = channel(self.address)
        return ch, permits_pb2_grpc.PermitsServiceStub(ch)


@pytest.fixture(scope="session")
def enforcement_topic(kafka_bootstrap: str) -> str:
    """The topic permits consumes, created up front so a fresh consumer sees it at once."""
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap.split(","))
    try:
        admin.create_topics([NewTopic(TOPICS[0], num_partitions=3, replication_factor=1)])
    except TopicAlreadyExistsError:
        pass
    finally:
        admin.close()
    return TOPICS[0]


@pytest.fixture
def start_permits(
    pg_url: str, enforcement_topic: str, start_service: Callable[..., RunningService]
) -> Iterator[Callable[..., Permits]]:
    """Start permits on a fresh database; expiry_every sets the scheduler's period.

    pg_url comes first so that it is torn down last: the service stops before its database goes.
    """
    channels: list[grpc.Channel] = []

    def _start(expiry_every: float = 3600.0) -> Permits:
        clock = ManualClock(START)
        service = start_service(
            "permits",
            bootstrap.build,
            pg_url,
            clock=clock,
            expiry_every=expiry_every,
            # From the topic's end: other suites' orders on the shared topic are not this test's to replay.
            consumer_group=group_from_now("permits-test-", enforcement_topic),
        )
        ch = channel(service.address)
        channels.append(ch)
        return Permits(service, permits_pb2_grpc.PermitsServiceStub(ch), clock, ch)

    yield _start
    for ch in channels:
        ch.close()


@pytest.fixture
def permits(start_permits: Callable[..., Permits]) -> Permits:
    """A permits service whose expiry scheduler stays out of the way."""
    return start_permits()
