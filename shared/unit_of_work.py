"""The one use-case skeleton: a service's dependencies, and a unit of work whose commit writes the
state change and its events (outbox rows) together.

Every use case reads:

    with transaction(deps) as tx:
        ...rules from the domain, rows through the repository...
        tx.publish(subject_id, SomethingHappened(...))   # a domain event, not protobuf

`deps.translate` (the service's `entrypoints/messages.py`, wired by its bootstrap) turns the domain
event into its protobuf payload, so the service layer never imports generated code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from google.protobuf.message import Message
from sqlalchemy.engine import Connection, Engine

from shared import china_time, events, outbox
from shared.clock import Clock
from shared.topology import topic_for

Translate = Callable[[object], Message]


def no_translation(event: object) -> Message:
    """The default translator: refuses, so a service that forgot to wire its own fails loudly."""
    raise TypeError(f"no translation wired for {type(event).__name__}; set Deps.translate")


def event_table(service: str, table: Mapping[type, Callable[[Any], Message]]) -> Translate:
    """A `Deps.translate` from a table domain event class -> builder of its contract payload (the
    service's translation module declares the table); TypeError for an event not in it."""

    def translate(event: object) -> Message:
        try:
            build = table[type(event)]
        except KeyError:
            raise TypeError(f"not a {service} event: {type(event).__name__}") from None
        return build(event)

    return translate


@dataclass(kw_only=True)
class Deps:
    """What every use case needs: the database, the clock, the event translator and a nudge for the
    outbox relay. A service subclasses it to add its own pieces (caches, keys, peers)."""

    engine: Engine
    clock: Clock
    source: str = ""
    translate: Translate = no_translation
    notify: Callable[[], None] = field(default=lambda: None)

    @property
    def topic(self) -> str:
        """The topic this service's events go to (eco.<service>.events)."""
        return topic_for(self.source)

    def today(self) -> date:
        """The city's calendar date now."""
        return china_time.local_day(self.clock.now())


@dataclass
class Tx:
    """An open transaction, the instant it started, and the events it has recorded."""

    conn: Connection
    now: datetime
    deps: Deps
    published: int = 0

    @property
    def today(self) -> date:
        """The city's calendar date at the start of the transaction."""
        return china_time.local_day(self.now)

    def publish(self, subject_id: str, event: object, *, occurred_at: datetime | None = None) -> None:
        """Record an event in this transaction (keyed by `subject_id`); it leaves only if it commits."""
        payload = self.deps.translate(event)
        envelope = events.make_envelope(
            source=self.deps.source,
            subject_id=subject_id,
            payload=payload,
            occurred_at=occurred_at or self.now,
        )
        outbox.add_event(self.conn, self.deps.topic, envelope)
        self.published += 1


@contextmanager
def transaction(deps: Deps, conn: Connection | None = None) -> Iterator[Tx]:
    """A transaction that commits on success; the relay is woken once it has committed events.

    With `conn` (a consumer's handler runs inside the consumer's transaction) it joins that one,
    and the consumer's commit carries the events.
    """
    if conn is not None:
        yield Tx(conn, deps.clock.now(), deps)
        return
    with deps.engine.begin() as own:
        tx = Tx(own, deps.clock.now(), deps)
        yield tx
    if tx.published:
        deps.notify()
