"""The outbox relay woken by PostgreSQL's NOTIFY at commit (shared.outbox, shared.pg_listen), against
the real PostgreSQL and Kafka: an event committed anywhere leaves without waiting for a poll."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from eco.v1 import evaluation_pb2
from shared import events
from shared.db import make_engine
from shared.outbox import CHANNEL, OutboxRelay, add_event, pending_count
from shared.pg_listen import Listener
from tests.support import infra
from tests.support.topics import read_from_start

pytestmark = pytest.mark.integration

# Far longer than any wait below: what arrives in time was woken, not polled for.
NEVER = 600.0


class Calls:
    """A listener's callbacks' payloads, in order; `wait_for(payload)` waits until it is among them."""

    def __init__(self) -> None:
        self.payloads: list[str | None] = []
        self._changed = threading.Condition()

    def __call__(self, payload: str | None) -> None:
        with self._changed:
            self.payloads.append(payload)
            self._changed.notify_all()

    def wait_for(self, payload: str | None, *, times: int = 1, timeout: float = 20.0) -> list[str | None]:
        with self._changed:
            assert self._changed.wait_for(lambda: self.payloads.count(payload) >= times, timeout), (
                f"{payload!r} not called back {times} time(s): {self.payloads}"
            )
            return list(self.payloads)


def _notify(engine: sa.Engine, payload: str, *, commit: bool = True) -> None:
    with engine.connect() as conn:
        conn.execute(sa.select(sa.func.pg_notify(CHANNEL, payload)))
        if commit:
            conn.commit()
        else:
            conn.rollback()


@pytest.fixture
def listening(engine: sa.Engine) -> Iterator[tuple[Listener, Calls]]:
    calls = Calls()
    listener = Listener(engine, CHANNEL, calls, retry_seconds=0.1)
    listener.start()
    assert listener.wait_listening(20)
    # Called once on listening (None): whatever committed before is looked at then.
    assert calls.wait_for(None) == [None]
    yield listener, calls
    listener.stop()
    assert not listener.listening
    listener.stop()  # a second stop is nothing


def test_committed_notifies_call_back_in_order_and_a_rolled_back_one_never(
    engine: sa.Engine, listening: tuple[Listener, Calls]
) -> None:
    _, calls = listening
    _notify(engine, "rolled back", commit=False)
    _notify(engine, "first")
    _notify(engine, "second")
    # Delivered in the order of the commits: once the last is here, every earlier one is too.
    assert calls.wait_for("second") == [None, "first", "second"]


def test_a_lost_connection_is_made_again_and_calls_back_on_listening(
    engine: sa.Engine, listening: tuple[Listener, Calls]
) -> None:
    listener, calls = listening
    with engine.connect() as conn:
        ended = conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND query = :listen"
            ),
            {"listen": f"LISTEN {CHANNEL}"},
        ).all()
    assert ended == [(True,)]
    # Listening again, and looking at what may have committed meanwhile.
    assert calls.wait_for(None, times=2) == [None, None]
    assert listener.wait_listening(20)
    _notify(engine, "after")
    assert calls.wait_for("after") == [None, None, "after"]


def test_a_channel_that_is_not_a_plain_name_is_refused(engine: sa.Engine) -> None:
    with pytest.raises(ValueError, match="lower-case identifier"):
        Listener(engine, "eco outbox; DROP TABLE outbox", lambda _payload: None)


def test_an_event_committed_elsewhere_wakes_the_relay(engine: sa.Engine, kafka_bootstrap: str) -> None:
    topic = infra.unique("test.outbox.wake.")
    # It would look for unsent events only every ten minutes, woken or not.
    relay = OutboxRelay(
        engine, kafka_bootstrap, client_id="test-wake", poll_seconds=NEVER, listening_poll_seconds=NEVER
    )
    relay.start()
    try:
        assert relay._listener is not None and relay._listener.wait_listening(20)
        # Committed by a transaction of another engine (another process, or a consumer's
        # transaction): nothing calls relay.notify().
        other = make_engine(str(engine.url.render_as_string(hide_password=False)))
        try:
            with other.begin() as conn:
                add_event(
                    conn,
                    topic,
                    events.make_envelope(
                        source="test",
                        subject_id="91330100716105852F",
                        payload=evaluation_pb2.CreditChanged(uscc="91330100716105852F"),
                    ),
                )
        finally:
            other.dispose()
        records = read_from_start(
            topic, kafka=kafka_bootstrap, until=lambda seen: len(seen) >= 1, what="the event"
        )
        assert len(records) == 1
        infra.wait_for(lambda: pending_count(engine) == 0, timeout=20, every=0.1, what="the row marked sent")
    finally:
        relay.stop()
