"""GET /healthz reports every service, Kafka, Elasticsearch and the database, and notices an outage."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gateway import config
from gateway.app import create_app
from shared.runtime import RunningService
from shared.topology import SERVICES
from tests.support import infra

pytestmark = pytest.mark.e2e


@pytest.fixture
def platform(
    start_service: Callable[..., RunningService], kafka_bootstrap: str, es: object, tmp_path: Path
) -> Iterator[tuple[TestClient, dict[str, RunningService]]]:
    """Every service in-process on its own fresh PostgreSQL database, and the gateway in front."""
    with ExitStack() as stack:
        running = {}
        for name in SERVICES:
            build = importlib.import_module(f"services.{name}.bootstrap").build
            running[name] = start_service(name, build, stack.enter_context(infra.fresh_postgres_database()))
        gateway_db = stack.enter_context(infra.fresh_postgres_database())
        env = infra.service_env(database_url=gateway_db, run_dir=tmp_path)
        env.update({f"ECO_{name.upper()}_ADDR": service.address for name, service in running.items()})
        # Called from the host itself, which sees the addresses (an anonymous caller sees states only).
        with TestClient(create_app(config.load(env)), client=("127.0.0.1", 50000)) as client:
            yield client, running


def test_healthz_is_up_when_everything_is(platform: tuple[TestClient, dict[str, RunningService]]) -> None:
    client, running = platform
    body = client.get("/healthz").json()
    assert body["status"] == "up", body
    assert set(body["services"]) == set(SERVICES)
    for name, service in running.items():
        assert body["services"][name] == {
            **body["services"][name],
            "status": "up",
            "address": service.address,
        }
    assert body["kafka"]["status"] == "up"
    assert body["elasticsearch"]["status"] == "up"
    assert body["database"] == {**body["database"], "status": "up", "backend": "postgresql"}


def test_healthz_reports_a_stopped_service(platform: tuple[TestClient, dict[str, RunningService]]) -> None:
    client, running = platform
    running["risk"].stop(grace=0)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["services"]["risk"]["status"] == "down"
    assert body["services"]["permits"]["status"] == "up"


def test_healthz_gives_a_remote_anonymous_caller_states_only(
    platform: tuple[TestClient, dict[str, RunningService]],
) -> None:
    client, running = platform
    remote = TestClient(client.app, client=("203.0.113.9", 50000))
    body = remote.get("/healthz").json()
    assert body["status"] == "up"
    assert body["services"]["codes"] == {"status": "up"}
    assert body["database"] == {"status": "up"} and "host" not in body
    for service in running.values():
        assert service.address not in str(body)
