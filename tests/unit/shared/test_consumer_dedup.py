"""The consumer applies an event once, however often it is delivered (handler logic, no broker)."""

from pathlib import Path
from typing import cast

import pytest
import sqlalchemy as sa

from eco.v1 import evaluation_pb2
from shared import events
from shared.consumer import EventConsumer
from shared.db import make_engine
from shared.migrations import SHARED, upgrade


def test_a_redelivered_event_is_applied_once(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    upgrade(engine, SHARED)
    applied: list[str] = []
    consumer = EventConsumer(
        engine,
        "unused:9092",
        group_id="g",
        topics=["t"],
        handlers={
            "CreditChanged": lambda conn, env, payload: applied.append(
                cast(evaluation_pb2.CreditChanged, payload).uscc
            )
        },
    )
    raw = events.make_envelope(
        source="t", subject_id="u1", payload=evaluation_pb2.CreditChanged(uscc="u1")
    ).SerializeToString()
    assert consumer.handle_raw(raw) is True
    assert consumer.handle_raw(raw) is False
    assert applied == ["u1"]
    assert consumer.skipped_duplicates == 1


def test_a_failing_handler_leaves_the_event_unclaimed(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    upgrade(engine, SHARED)
    attempts: list[int] = []

    def flaky(conn: sa.Connection, env: object, payload: object) -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("database hiccup")

    consumer = EventConsumer(
        engine, "unused:9092", group_id="g", topics=["t"], handlers={"CreditChanged": flaky}
    )
    raw = events.make_envelope(
        source="t", subject_id="u", payload=evaluation_pb2.CreditChanged(uscc="u")
    ).SerializeToString()
    with pytest.raises(RuntimeError, match="database hiccup"):
        consumer.handle_raw(raw)
    assert consumer.handle_raw(raw) is True
    assert len(attempts) == 2


def test_infrastructure_failures_are_transient_and_event_failures_are_not() -> None:
    from sqlalchemy.exc import IntegrityError, OperationalError

    from shared.consumer import is_transient
    from shared.errors import InvalidArgument

    assert is_transient(OperationalError("SELECT 1", {}, Exception("server closed the connection")))
    assert is_transient(ConnectionError("refused"))
    assert not is_transient(IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert not is_transient(InvalidArgument("uscc", "bad"))
    assert not is_transient(ValueError("cannot parse"))
