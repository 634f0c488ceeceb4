"""Fixtures: the gateway in-process, the code service on real Kafka and PostgreSQL, and an
enforcement endpoint that answers UNIMPLEMENTED like the enforcement service not built yet."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from eco.v1 import enforcement_pb2_grpc
from shared.runtime import RunningService
from tests.integration.codes.harness import CodesHarness, running_codes
from tests.integration.gateway_public.harness import enforcement_endpoint, gateway


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
