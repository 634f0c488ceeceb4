"""Fixtures for tests against the real Kafka, Elasticsearch and PostgreSQL.

`make test` starts the servers (deploy/local/with-infra.sh) before pytest runs; a fixture that
cannot reach its server fails with the address it tried, it never skips.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch
from kafka import KafkaAdminClient

from shared import settings as shared_settings
from shared.runtime import RunningService, ServiceApp, start
from tests.support import infra


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    """The shared broker's address, once it answers the Kafka protocol."""

    def ready() -> bool:
        admin = KafkaAdminClient(bootstrap_servers=infra.KAFKA.split(","), request_timeout_ms=3000)
        admin.list_topics()
        admin.close()
        return True

    infra.wait_for(ready, timeout=60, every=1, what=f"Kafka at {infra.KAFKA}")
    return infra.KAFKA


@pytest.fixture(scope="session")
def es() -> Iterator[Elasticsearch]:
    """A client of the real Elasticsearch server."""
    client = Elasticsearch(infra.ES_URL, request_timeout=10)
    # The integ-test-zip has no rest-root module (GET / and ping): ask the cluster itself.
    infra.wait_for(
        lambda: (
            client.cluster.health(wait_for_status="yellow", timeout="1s")["status"] in ("green", "yellow")
        ),
        timeout=90,
        every=1,
        what=f"Elasticsearch at {infra.ES_URL}",
    )
    yield client
    client.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test (SQLAlchemy URL)."""
    with infra.fresh_postgres_database() as url:
        yield url


@pytest.fixture
def start_service(tmp_path: Path, kafka_bootstrap: str) -> Iterator[Callable[..., RunningService]]:
    """Start a service in-process on a free port: start_service(name, build, database_url, **build_kwargs)."""
    running: list[RunningService] = []

    def _start(
        name: str,
        build: Callable[..., ServiceApp],
        database_url: str,
        *,
        extra_env: dict[str, str] | None = None,
        **build_kwargs: object,
    ) -> RunningService:
        env = infra.service_env(database_url=database_url, run_dir=tmp_path, **(extra_env or {}))
        env[f"ECO_{name.upper()}_DATABASE_URL"] = database_url
        env[f"ECO_{name.upper()}_GRPC_PORT"] = "0"
        service = start(build(shared_settings.load(name, env), **build_kwargs))
        running.append(service)
        return service

    yield _start
    for service in reversed(running):
        service.stop(grace=1)
