"""One transaction per use case, with its events written to the outbox inside it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from google.protobuf.message import Message
from sqlalchemy.engine import Connection, Engine

from services.permits.domain.values import local_date
from shared import events, outbox
from shared.clock import Clock
from shared.topology import topic_for

SOURCE = "permits"
TOPIC = topic_for(SOURCE)


@dataclass
class Deps:
    """What every use case needs: the database, the clock, and a nudge for the outbox relay."""

    engine: Engine
    clock: Clock
    notify: Callable[[], None] = field(default=lambda: None)


@dataclass
class Tx:
    """An open transaction, the instant it started, and the events it has recorded."""

    conn: Connection
    now: datetime
    published: int = 0

    @property
    def today(self) -> date:
        """The city's calendar date at the start of the transaction."""
        return local_date(self.now)

    def publish(self, subject_id: str, payload: Message) -> None:
        """Record an event in this transaction (keyed by the enterprise's USCC)."""
        envelope = events.make_envelope(
            source=SOURCE, subject_id=subject_id, payload=payload, occurred_at=self.now
        )
        outbox.add_event(self.conn, TOPIC, envelope)
        self.published += 1


@contextmanager
def transaction(deps: Deps, conn: Connection | None = None) -> Iterator[Tx]:
    """A transaction that commits on success; the relay is woken once it has committed events.

    With `conn` (a consumer's handler runs inside the consumer's transaction) it joins that one.
    """
    if conn is not None:
        yield Tx(conn, deps.clock.now())
        return
    with deps.engine.begin() as own:
        tx = Tx(own, deps.clock.now())
        yield tx
    if tx.published:
        deps.notify()
