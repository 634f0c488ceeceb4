"""Unit-test fixtures: enforcement's service layer on SQLite in a temp dir, with a manual clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from eco.v1 import enforcement_pb2  # noqa: F401  (registers the event types for events.unpack)
from services.enforcement.adapters.content_store import FileStore
from services.enforcement.bootstrap import make_deps
from services.enforcement.migrations import HISTORY
from services.enforcement.service_layer.unit_of_work import Deps
from shared.clock import ManualClock
from shared.db import make_engine
from shared.migrations import upgrade
from tests.unit.enforcement.factories import NOW


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def deps(tmp_path: Path, clock: ManualClock) -> Iterator[Deps]:
    engine = make_engine(f"sqlite:///{tmp_path / 'enforcement.db'}")
    upgrade(engine, HISTORY)
    yield make_deps(engine, clock=clock, store=FileStore(tmp_path / "evidence"))
    engine.dispose()
