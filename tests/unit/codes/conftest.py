"""The code service's use cases on SQLite in a temp dir, with a manual clock and test keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.codes.entrypoints import consumers, translate
from services.codes.migrations import HISTORY
from services.codes.service_layer.context import Context
from shared.clock import ManualClock
from shared.consumer import EventConsumer
from shared.db import make_engine
from shared.migrations import upgrade
from tests.unit.codes import factories


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    """A context on a fresh SQLite database."""
    engine = make_engine(f"sqlite:///{tmp_path / 'codes.db'}")
    upgrade(engine, HISTORY)
    return Context(
        engine=engine,
        keys=factories.keys(),
        clock=ManualClock(factories.T0),
        public_base_url="https://eco.example.cn",
        translate=translate.event_message,
    )


@pytest.fixture
def consumer(ctx: Context) -> EventConsumer:
    """The service's real consumer handlers, fed by handle_raw (no broker)."""
    return EventConsumer(
        ctx.engine, "unused:9092", group_id="codes", topics=consumers.TOPICS, handlers=consumers.handlers(ctx)
    )
