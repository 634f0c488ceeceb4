"""Transactional outbox: an event is a row written in the same transaction as the state change.

A relay publishes unsent rows to Kafka (acks=all, idempotent producer), then marks them sent, so an
event is never lost between a commit and a publish, and a crash only means a row is sent again;
consumers drop the repeat by event id.

The relay is woken when events commit: on PostgreSQL by the NOTIFY each event's transaction sends
(any process, any replica, a consumer's transaction too), and in its own process by `notify()`.
While it is woken that way it looks for unsent rows only every `listening_poll_seconds` besides, as
a safety net; otherwise (SQLite, or while its LISTEN connection is down) every `poll_seconds`. Six
services polling five times a second cost the idle platform about 3 % of a core in Python and
PostgreSQL (issue 16's measurements), for events that are woken for anyway.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from kafka import KafkaProducer
from sqlalchemy.engine import Connection, Engine

from eco.v1 import events_pb2
from shared.db import is_postgres
from shared.kafka import reliable_producer
from shared.pg_listen import Listener
from shared.schema import outbox

log = logging.getLogger(__name__)

# Advisory lock key of the relay: one publisher per database at a time (any constant, unique here).
RELAY_LOCK = 727_002
# The channel an event's transaction notifies on PostgreSQL (per database, as NOTIFY is).
CHANNEL = "eco_outbox"


def add_event(conn: Connection, topic: str, envelope: events_pb2.EventEnvelope) -> None:
    """Record an event in the caller's transaction; it is published only if that transaction commits."""
    conn.execute(
        outbox.insert().values(
            event_id=envelope.event_id,
            topic=topic,
            key=envelope.subject_id,
            event_type=envelope.type,
            envelope=envelope.SerializeToString(),
            created_at=datetime.now(UTC),
        )
    )
    if is_postgres(conn):
        # Delivered at commit, once per transaction however many events it adds (PostgreSQL folds a
        # repeated notification), and not at all on a rollback.
        conn.execute(sa.select(sa.func.pg_notify(CHANNEL, "")))


def pending_count(engine: Engine) -> int:
    """How many events wait to be published (shown by health checks and tests)."""
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).where(outbox.c.sent_at.is_(None))).scalar_one())


class OutboxRelay:
    """Publishes the outbox in order, in a background thread, retrying with backoff."""

    def __init__(
        self,
        engine: Engine,
        bootstrap_servers: str,
        *,
        client_id: str,
        poll_seconds: float = 0.2,
        listening_poll_seconds: float = 5.0,
        batch_size: int = 500,
        max_backoff_seconds: float = 10.0,
        producer_factory: Callable[[], KafkaProducer] | None = None,
    ) -> None:
        self.engine = engine
        self.poll_seconds = poll_seconds
        self.listening_poll_seconds = max(listening_poll_seconds, poll_seconds)
        self.batch_size = batch_size
        self.max_backoff_seconds = max_backoff_seconds
        self._producer_factory = producer_factory or (
            lambda: reliable_producer(bootstrap_servers, client_id=client_id)
        )
        self._producer: KafkaProducer | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._listener = (
            Listener(engine, CHANNEL, lambda _payload: self.notify()) if is_postgres(engine) else None
        )
        self.healthy = False

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        """Start publishing in a background thread."""
        self._thread = threading.Thread(target=self._loop, name="outbox-relay", daemon=True)
        self._thread.start()
        if self._listener is not None:
            self._listener.start()

    @property
    def listening(self) -> bool:
        """True while committed events wake the relay from any process (PostgreSQL's LISTEN is up)."""
        return self._listener is not None and self._listener.listening

    def notify(self) -> None:
        """Publish now rather than at the next poll (call after a commit that added events)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the batch in hand; unsent rows stay for the next start."""
        self._stop.set()
        self._wake.set()
        if self._listener is not None:
            self._listener.stop(timeout)
        if self._thread:
            self._thread.join(timeout)
        self._close_producer()

    # -- work ------------------------------------------------------------------------------
    def _loop(self) -> None:
        backoff = self.poll_seconds
        while True:
            # Cleared before looking: an event committed, or a stop(), from here on wakes the wait
            # below (stop() sets its flag before waking, so one that came just before is seen here).
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                sent = self.publish_pending()
                self.healthy = True
                backoff = self.poll_seconds
                if sent:
                    continue  # more may be waiting; drain before sleeping
                pause = self.listening_poll_seconds if self.listening else self.poll_seconds
            except Exception as exc:  # Kafka down, DB restarting: wait and try again, never die.
                self.healthy = False
                log.warning("outbox relay: publish failed, retrying in %.1fs: %s", backoff, exc)
                self._close_producer()
                pause = backoff
                backoff = min(max(backoff * 2, 0.5), self.max_backoff_seconds)
            self._wake.wait(pause)

    def publish_pending(self) -> int:
        """Publish one batch of unsent events in order; returns how many Kafka confirmed."""
        query = (
            sa.select(outbox.c.id, outbox.c.topic, outbox.c.key, outbox.c.envelope)
            .where(outbox.c.sent_at.is_(None))
            .order_by(outbox.c.id)
            .limit(self.batch_size)
        )
        if is_postgres(self.engine):
            # Several replicas run a relay each; one publishes at a time (the others find the lock
            # taken and wait for their next turn), which keeps each subject's events in order.
            with self.engine.begin() as conn:
                if not conn.execute(sa.select(sa.func.pg_try_advisory_xact_lock(RELAY_LOCK))).scalar_one():
                    return 0
                rows = conn.execute(query).all()
                sent_ids, failure = self._send(rows)
                self._mark(conn, rows, sent_ids, failure)
        else:
            # SQLite locks the whole file: never hold it while waiting for the broker.
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
                conn.rollback()
            sent_ids, failure = self._send(rows)
            with self.engine.begin() as conn:
                self._mark(conn, rows, sent_ids, failure)
        if failure is not None:
            raise failure
        return len(sent_ids)

    def _send(self, rows: Sequence[sa.Row[Any]]) -> tuple[list[int], Exception | None]:
        """Send rows and wait for the broker; returns the confirmed ids and the first failure."""
        if not rows:
            return [], None
        producer = self._ensure_producer()
        futures = [
            (row.id, producer.send(row.topic, key=row.key.encode(), value=bytes(row.envelope)))
            for row in rows
        ]
        producer.flush(timeout=30)
        sent_ids: list[int] = []
        failure: Exception | None = None
        for row_id, future in futures:
            try:
                future.get(timeout=30)
                sent_ids.append(row_id)
            except Exception as exc:
                failure = failure or exc
        return sent_ids, failure

    @staticmethod
    def _mark(
        conn: Connection, rows: Sequence[sa.Row[Any]], sent_ids: list[int], failure: Exception | None
    ) -> None:
        if sent_ids:
            conn.execute(sa.update(outbox).where(outbox.c.id.in_(sent_ids)).values(sent_at=datetime.now(UTC)))
        if failure is not None:
            sent = set(sent_ids)
            conn.execute(
                sa.update(outbox)
                .where(outbox.c.id.in_([row.id for row in rows if row.id not in sent]))
                .values(attempts=outbox.c.attempts + 1, last_error=str(failure)[:2000])
            )

    def _ensure_producer(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = self._producer_factory()
        return self._producer

    def _close_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                producer.close(timeout=2)
            except Exception:  # closing a producer whose broker is gone may raise; nothing to keep
                log.debug("outbox relay: error closing producer", exc_info=True)
