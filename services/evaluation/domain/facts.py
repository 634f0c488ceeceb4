"""A fact: one consumed event, reduced to the plain values evaluation reasons with.

Every read model of evaluation is a function of the set of facts, never of the order in which they
arrived: a fact is stored once under its event id, and everything else is recomputed from the set.
That is what makes the models correct under events out of order and twice, and what makes a
rebuild from offset 0 equal to the live model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Fact:
    """One event as evaluation keeps it.

    `type` is the event's contract name (e.g. "PenaltyDecided"); `uscc` the enterprise concerned
    ("" when none); `subject` the thing it is about (case, exceedance, station, permit, petition);
    `at` when it happened in the domain (the envelope's occurred_at, or the payload's own time where
    the payload carries a better one); `data` the payload's fields evaluation uses, as JSON values.
    """

    event_id: str
    type: str
    at: datetime
    uscc: str = ""
    subject: str = ""
    town: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        """One field of `data`."""
        return self.data.get(key, default)


def sort_key(fact: Fact) -> tuple[datetime, str]:
    """The order facts are reasoned over: by time, then by event id (so ties break the same way)."""
    return fact.at, fact.event_id


def latest(facts: list[Fact]) -> Fact | None:
    """The newest fact (by time, then event id), or None."""
    return max(facts, key=sort_key) if facts else None


def unique(facts: list[Fact]) -> list[Fact]:
    """The facts with each event id once (a redelivered event is the same fact)."""
    return list({f.event_id: f for f in sorted(facts, key=sort_key)}.values())
