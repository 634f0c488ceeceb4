"""Fixtures of the shared package's integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from shared.db import make_engine
from shared.migrations import SHARED, upgrade


@pytest.fixture
def engine(pg_url: str) -> Iterator[sa.Engine]:
    """A fresh PostgreSQL database with the tables every component has (outbox, audit log, ...)."""
    engine = make_engine(pg_url)
    upgrade(engine, SHARED)
    yield engine
    engine.dispose()
