"""Unit-test fixtures: the risk service layer on SQLite in a temp dir, with a manual clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from eco.v1 import risk_pb2  # noqa: F401  (registers the event types for events.unpack)
from services.risk.bootstrap import make_deps
from services.risk.migrations import HISTORY
from services.risk.service_layer.unit_of_work import Deps
from shared.clock import ManualClock
from shared.db import make_engine
from shared.migrations import upgrade

# 02:00 UTC is 10:00 in Cixi: well inside the local day, so dates do not shift.
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def deps(tmp_path: Path, clock: ManualClock) -> Iterator[Deps]:
    engine = make_engine(f"sqlite:///{tmp_path / 'risk.db'}")
    upgrade(engine, HISTORY)
    yield make_deps(engine, clock=clock)
    engine.dispose()
