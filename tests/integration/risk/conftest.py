"""Fixtures: a risk service started in-process on PostgreSQL and real Kafka, with a manual clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import grpc
import pytest
import sqlalchemy as sa

from eco.v1 import risk_pb2_grpc
from services.risk import bootstrap
from shared.clock import ManualClock
from shared.grpc.client import call_metadata, channel
from shared.runtime import RunningService
from tests.support import infra

# 02:00 UTC is 10:00 in Cixi.
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@dataclass
class Risk:
    """A running risk service, a client of it, its clock and its database."""

    service: RunningService
    stub: risk_pb2_grpc.RiskServiceStub
    clock: ManualClock
    engine: sa.Engine

    def md(self, token: str = infra.BUREAU_TOKEN) -> tuple[tuple[str, str], ...]:
        """Call metadata for a department's token."""
        return call_metadata(token)

    def new_stub(self) -> tuple[grpc.Channel, risk_pb2_grpc.RiskServiceStub]:
        """Another client with its own channel (for concurrent callers)."""
        ch = channel(self.service.address)
        return ch, risk_pb2_grpc.RiskServiceStub(ch)


@pytest.fixture
def start_risk(pg_url: str, start_service: Callable[..., RunningService]) -> Iterator[Callable[..., Risk]]:
    """Start risk on a fresh database; sweep_every sets the overdue/stuck worker's period."""
    opened: list[tuple[grpc.Channel, sa.Engine]] = []

    def _start(sweep_every: float = 3600.0) -> Risk:
        clock = ManualClock(START)
        service = start_service(
            "risk",
            bootstrap.build,
            pg_url,
            clock=clock,
            sweep_every=sweep_every,
            consumer_group=infra.unique("risk-test-"),
        )
        ch = channel(service.address)
        engine = sa.create_engine(pg_url)
        opened.append((ch, engine))
        return Risk(service, risk_pb2_grpc.RiskServiceStub(ch), clock, engine)

    yield _start
    for ch, engine in opened:
        ch.close()
        engine.dispose()


@pytest.fixture
def risk(start_risk: Callable[..., Risk]) -> Risk:
    """A risk service whose sweep stays out of the way."""
    return start_risk()
