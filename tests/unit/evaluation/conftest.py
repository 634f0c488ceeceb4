"""Evaluation's use cases on SQLite in a temp dir, with a manual clock, fed by its real consumer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from services.evaluation.bootstrap import make_deps
from services.evaluation.entrypoints import consumers
from services.evaluation.migrations import HISTORY
from services.evaluation.service_layer.unit_of_work import Deps
from shared.clock import ManualClock
from shared.consumer import EventConsumer
from shared.db import make_engine
from shared.migrations import upgrade
from tests.unit.evaluation.factories import T0

MakeDeps = Callable[[str], Deps]


@pytest.fixture
def make(tmp_path: Path) -> MakeDeps:
    """A factory of evaluation deps on fresh SQLite databases (one per name), all at T0."""

    def build(name: str) -> Deps:
        engine = make_engine(f"sqlite:///{tmp_path / name}.db")
        upgrade(engine, HISTORY)
        return make_deps(engine, clock=ManualClock(T0))

    return build


@pytest.fixture
def deps(make: MakeDeps) -> Deps:
    """One evaluation database."""
    return make("evaluation")


def consumer_of(deps: Deps) -> EventConsumer:
    """The service's real consumer handlers, fed by handle_raw (no broker)."""
    return EventConsumer(
        deps.engine,
        "unused:9092",
        group_id="evaluation",
        topics=consumers.TOPICS,
        handlers=consumers.handlers(deps),
    )
