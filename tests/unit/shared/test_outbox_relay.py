"""The relay's bookkeeping: rows are marked sent only when the broker confirmed them.

The broker here is a plain stand-in for the producer API, since these tests are about which rows the
relay marks; tests/integration/shared/ checks the same relay against the real Kafka.
"""

from concurrent.futures import Future
from pathlib import Path

import pytest
import sqlalchemy as sa

from eco.v1 import evaluation_pb2
from shared import events, schema
from shared.db import make_engine
from shared.migrations import SHARED, upgrade
from shared.outbox import OutboxRelay, add_event, pending_count


class Confirmation(Future):
    """Like kafka-python's FutureRecordMetadata: `get(timeout)` returns or raises."""

    def get(self, timeout: float | None = None) -> object:
        return self.result(timeout)


class ScriptedProducer:
    """Confirms sends, except those whose key is in `fail_keys`."""

    def __init__(self, fail_keys: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.fail_keys = fail_keys
        self.sent: list[tuple[str, bytes]] = []

    def send(self, topic: str, key: bytes, value: bytes) -> Confirmation:  # KafkaProducer.send's keywords
        future = Confirmation()
        if key.decode() in self.fail_keys:
            future.set_exception(ConnectionError("broker unavailable"))
        else:
            self.sent.append((topic, key))
            future.set_result(None)
        return future

    def flush(self, timeout: float | None = None) -> None:
        pass

    def close(self, timeout: float = 0) -> None:
        pass


@pytest.fixture
def engine(tmp_path: Path) -> sa.Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'o.db'}")
    upgrade(engine, SHARED)
    return engine


def _add(engine: sa.Engine, subject: str) -> None:
    envelope = events.make_envelope(
        source="t", subject_id=subject, payload=evaluation_pb2.CreditChanged(uscc=subject)
    )
    with engine.begin() as conn:
        add_event(conn, "eco.t.events", envelope)


def test_confirmed_rows_are_marked_sent_in_order(engine: sa.Engine) -> None:
    for subject in ("a", "b", "c"):
        _add(engine, subject)
    producer = ScriptedProducer()
    relay = OutboxRelay(engine, "unused:9092", client_id="t", producer_factory=lambda: producer)
    assert relay.publish_pending() == 3
    assert [key for _, key in producer.sent] == [b"a", b"b", b"c"]
    assert pending_count(engine) == 0
    assert relay.publish_pending() == 0


def test_unconfirmed_rows_stay_pending_with_the_error(engine: sa.Engine) -> None:
    _add(engine, "ok")
    _add(engine, "down")
    relay = OutboxRelay(
        engine, "unused:9092", client_id="t", producer_factory=lambda: ScriptedProducer({"down"})
    )
    with pytest.raises(ConnectionError):
        relay.publish_pending()
    assert pending_count(engine) == 1
    with engine.connect() as conn:
        row = conn.execute(sa.select(schema.outbox).where(schema.outbox.c.key == "down")).one()
    assert row.attempts == 1
    assert "broker unavailable" in row.last_error


def test_rolled_back_transaction_leaves_no_event(engine: sa.Engine) -> None:
    envelope = events.make_envelope(
        source="t", subject_id="x", payload=evaluation_pb2.CreditChanged(uscc="x")
    )
    with pytest.raises(RuntimeError), engine.begin() as conn:
        add_event(conn, "eco.t.events", envelope)
        raise RuntimeError("the state change failed")
    assert pending_count(engine) == 0
