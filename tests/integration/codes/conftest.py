"""Fixtures: the code service on real Kafka and a fresh PostgreSQL database."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from shared.runtime import RunningService
from tests.integration.codes.harness import CodesHarness, running_codes


@pytest.fixture
def codes(pg_url: str, start_service: Callable[..., RunningService]) -> Iterator[CodesHarness]:
    """The code service, its stub, and a producer for the topics it consumes.

    pg_url comes first so that its database is dropped only after the service has stopped."""
    with running_codes(start_service, pg_url) as harness:
        yield harness
