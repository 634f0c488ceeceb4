"""Fixtures: an enforcement service started in-process on PostgreSQL and real Kafka, with a manual
clock, its consumer group starting at the topics' current end (not their whole history)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import grpc
import pytest

from eco.v1 import enforcement_pb2_grpc
from services.enforcement import bootstrap
from services.enforcement.entrypoints import target_consumers
from services.enforcement.entrypoints.consumers import TOPICS
from shared.clock import ManualClock
from shared.grpc.client import call_metadata, channel
from shared.runtime import RunningService
from shared.topology import topic_for
from tests.support import infra, topics

# 02:00 UTC is 10:00 in Cixi.
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@dataclass
class Enforcement:
    """A running enforcement service and a client of it."""

    service: RunningService
    stub: enforcement_pb2_grpc.EnforcementServiceStub
    clock: ManualClock

    def md(self, token: str = infra.BUREAU_TOKEN) -> tuple[tuple[str, str], ...]:
        """Call metadata for a department's token."""
        return call_metadata(token)


@pytest.fixture
def start_enforcement(
    pg_url: str, kafka_bootstrap: str, start_service: Callable[..., RunningService]
) -> Iterator[Callable[..., Enforcement]]:
    """Start enforcement on a fresh database (escalation_every sets its worker's period)."""
    channels: list[grpc.Channel] = []

    def _start(escalation_every: float = 3600.0, **env: str) -> Enforcement:
        topics.create_topics_if_missing(*TOPICS, topic_for("enforcement"))
        group = infra.unique("enforcement-test-")
        for topic in TOPICS:
            topics.start_group_at_end(group, topic)
        # The targets consumer (issue 12) has a group of its own; it too starts from now.
        topics.create_topics_if_missing(*target_consumers.TOPICS)
        topics.start_group_at_end(target_consumers.group_for(group), *target_consumers.TOPICS)
        clock = ManualClock(START)
        service = start_service(
            "enforcement",
            bootstrap.build,
            pg_url,
            extra_env=env,
            clock=clock,
            escalation_every=escalation_every,
            consumer_group=group,
        )
        ch = channel(service.address)
        channels.append(ch)
        return Enforcement(service, enforcement_pb2_grpc.EnforcementServiceStub(ch), clock)

    yield _start
    for ch in channels:
        ch.close()


@pytest.fixture
def enforcement(start_enforcement: Callable[..., Enforcement]) -> Enforcement:
    """An enforcement service whose escalation worker stays out of the way."""
    return start_enforcement()
