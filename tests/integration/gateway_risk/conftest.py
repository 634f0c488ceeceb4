"""Fixtures: the gateway in-process (FastAPI TestClient) calling a real risk service and, for the
enterprise record, a real permits service, each on its own PostgreSQL database and the real Kafka."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from fastapi.testclient import TestClient

from eco.v1 import risk_pb2_grpc
from gateway import config, operators
from gateway.app import create_app
from services.permits import bootstrap as permits_bootstrap
from services.risk import bootstrap as risk_bootstrap
from shared.grpc.client import call_metadata, channel
from shared.runtime import RunningService
from tests.support import infra


@dataclass
class RiskGateway:
    """The gateway, a direct client of the risk service (as a department calls it) and operators."""

    client: TestClient
    risk: risk_pb2_grpc.RiskServiceStub
    md: tuple[tuple[str, str], ...]

    def headers(self, role: str) -> dict[str, str]:
        """A new operator account with the role; the Authorization header it calls with."""
        token, name = infra.unique("tok-"), infra.unique("op-")
        engine = self.client.app.state.engine  # type: ignore[attr-defined]
        operators.create(engine, username=name, display_name=name, role=role, token=token)
        return {"Authorization": f"Bearer {token}"}


@contextmanager
def gateway_to(run_dir: Path, **addresses: str) -> Iterator[TestClient]:
    """The gateway (no indexer) with its own fresh database, calling the services at `addresses`
    (ECO_<NAME>_ADDR); services not named are nowhere (a closed port)."""
    with infra.fresh_postgres_database() as database_url:
        env = {
            "ECO_RUN_DIR": str(run_dir),
            "ECO_GATEWAY_INDEXER": "0",  # the search tests run the indexer on their own topics
            "ECO_GATEWAY_DATABASE_URL": database_url,
            "ECO_PERMITS_ADDR": f"127.0.0.1:{infra.free_port()}",
            "ECO_RISK_ADDR": f"127.0.0.1:{infra.free_port()}",
            **{f"ECO_{name.upper()}_ADDR": address for name, address in addresses.items()},
            "KAFKA_BOOTSTRAP_SERVERS": infra.KAFKA,
            "ELASTICSEARCH_URL": infra.ES_URL,
        }
        with TestClient(create_app(config.load(env))) as client:
            yield client


@pytest.fixture
def risk_service(pg_url: str, start_service: Callable[..., RunningService]) -> RunningService:
    """The risk service on its own database (system clock: deadlines are relative to now)."""
    return start_service("risk", risk_bootstrap.build, pg_url, consumer_group=infra.unique("risk-gw-"))


@pytest.fixture
def permits_service(start_service: Callable[..., RunningService]) -> Iterator[RunningService]:
    """The permits service on a database of its own (a database belongs to one service)."""
    with infra.fresh_postgres_database() as url:
        service = start_service(
            "permits", permits_bootstrap.build, url, consumer_group=infra.unique("permits-gw-")
        )
        yield service
        service.stop(grace=0)  # before its database is dropped


@pytest.fixture
def platform(
    tmp_path: Path, risk_service: RunningService, permits_service: RunningService
) -> Iterator[RiskGateway]:
    """The gateway calling the real risk and permits services."""
    ch: grpc.Channel = channel(risk_service.address)
    try:
        with gateway_to(tmp_path, risk=risk_service.address, permits=permits_service.address) as client:
            yield RiskGateway(client, risk_pb2_grpc.RiskServiceStub(ch), call_metadata(infra.BUREAU_TOKEN))
    finally:
        ch.close()
