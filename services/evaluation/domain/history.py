"""An enterprise's credit over time: which level, from when, under which rules version.

Recomputed from the facts each time (never appended as events arrive), so the history is the same
whatever order the events came in, and a new rules version shows as a new entry from its first day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.evaluation.domain.credit import Rating, change_points, next_change, rate
from services.evaluation.domain.facts import Fact
from services.evaluation.domain.levels import Level
from services.evaluation.domain.rules import RuleBook
from shared.china_time import local_day


@dataclass(frozen=True)
class Entry:
    """From `since`, the enterprise stood at `level` with `score` under `rules_version`."""

    since: datetime
    level: Level
    score: float
    rules_version: str


@dataclass(frozen=True)
class Assessment:
    """The current rating, the history that led to it, and when it may next change by itself."""

    current: Rating
    history: tuple[Entry, ...]
    next_change: datetime | None


def rate_at(facts: list[Fact], book: RuleBook, at: datetime) -> Rating:
    """The rating at `at` under the rules version in force that day."""
    return rate(facts, book.in_force(local_day(at)), at)


def assess(facts: list[Fact], book: RuleBook, now: datetime) -> Assessment:
    """The enterprise's rating now and its whole history."""
    windows = {v.window_days for v in book.versions}
    starts = book.starts()
    entries: list[Entry] = []
    first_fact = min((f.at for f in facts), default=now)
    for moment in change_points(facts, starts, windows, now):
        if moment < first_fact:
            continue  # before the enterprise's first event there is nothing to rate
        rating = rate_at(facts, book, moment)
        entry = Entry(moment, rating.level, rating.score, rating.rules_version)
        last = entries[-1] if entries else None
        if last is None or (last.level, last.score, last.rules_version) != (
            entry.level,
            entry.score,
            entry.rules_version,
        ):
            entries.append(entry)
    current = rate_at(facts, book, now)
    return Assessment(current, tuple(entries), next_change(facts, starts, windows, now))
