"""Fixtures: the gateway in-process, the code service on real Kafka and PostgreSQL, and an
enforcement endpoint that answers UNIMPLEMENTED like the enforcement service not built yet; with a
real permits service too where the officer's full record is needed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from eco.v1 import enforcement_pb2_grpc
from services.permits import bootstrap as permits_bootstrap
from shared.runtime import RunningService
from tests.integration.codes.harness import CodesHarness, running_codes
from tests.integration.gateway_public.harness import enforcement_endpoint, gateway
from tests.support import infra


@dataclass
class Platform:
    client: TestClient
    codes: CodesHarness


@pytest.fixture
def codes(pg_url: str, start_service: Callable[..., RunningService]) -> Iterator[CodesHarness]:
    """The code service (pg_url first, so its database outlives the service)."""
    with running_codes(start_service, pg_url) as harness:
        yield harness


@pytest.fixture
def platform(codes: CodesHarness, tmp_path: Path) -> Iterator[Platform]:
    """The gateway calling the code service and an enforcement that has built nothing yet."""
    with (
        enforcement_endpoint(enforcement_pb2_grpc.EnforcementServiceServicer()) as enforcement,  # type: ignore[abstract]
        gateway(tmp_path, codes_address=codes.service.address, enforcement_address=enforcement) as client,
    ):
        yield Platform(client, codes)


@pytest.fixture
def permits(start_service: Callable[..., RunningService]) -> Iterator[RunningService]:
    """A real permits service on its own fresh database (it publishes on eco.permits.events)."""
    with infra.fresh_postgres_database() as url:
        service = start_service(
            "permits", permits_bootstrap.build, url, consumer_group=infra.unique("permits-test-")
        )
        yield service
        service.stop(grace=0)


@pytest.fixture
def full_platform(
    pg_url: str, permits: RunningService, start_service: Callable[..., RunningService], tmp_path: Path
) -> Iterator[Platform]:
    """Permits, the code service consuming permits' real topic (from now on), and the gateway."""
    with (
        running_codes(start_service, pg_url, real_permits_topic=True) as codes,
        enforcement_endpoint(enforcement_pb2_grpc.EnforcementServiceServicer()) as enforcement,  # type: ignore[abstract]
        gateway(
            tmp_path,
            codes_address=codes.service.address,
            enforcement_address=enforcement,
            permits_address=permits.address,
        ) as client,
    ):
        yield Platform(client, codes)
