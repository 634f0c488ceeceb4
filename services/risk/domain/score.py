"""An enterprise's effective risk level and its dynamic risk score.

The level: the assessed level (HJ 941-2018) raised one step, capped at MAJOR, for each cause that
lasts: an overdue hazard still open (DESIGN.md flow 5), and a penalty in the last three years that the
latest assessment did not count yet (HJ 941-2018 clause 8.2 raises a penalised enterprise one level).

The score (0-100): a base from the assessed level plus what happened lately, each signal weighted
and halving with its own half-life, so old events fade; an overdue hazard weighs fully while it
stays overdue and fades from its closing. Every contribution is listed as a reason. Weights and
half-lives are local practice, kept here as data.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.risk.domain.values import RiskLevel

PENALTY_WINDOW = timedelta(days=3 * 365 + 1)  # clause 8.2's 近三年
BASE = {None: 0.0, RiskLevel.GENERAL: 20.0, RiskLevel.SIGNIFICANT: 45.0, RiskLevel.MAJOR: 70.0}
MAX_SCORE = 100.0
SHOWN_BELOW = 0.5  # contributions smaller than this are no longer listed


class Signal(enum.Enum):
    """What raises the score: (weight, half-life in days)."""

    EXCEEDANCE = "exceedance"
    PENALTY = "penalty"
    OVERDUE_HAZARD = "overdue_hazard"
    MANIFEST_MISMATCH = "manifest_mismatch"
    MANIFEST_STUCK = "manifest_stuck"


WEIGHTS: dict[Signal, tuple[float, float]] = {
    Signal.EXCEEDANCE: (5.0, 30.0),
    Signal.PENALTY: (15.0, 180.0),
    Signal.OVERDUE_HAZARD: (10.0, 60.0),
    Signal.MANIFEST_MISMATCH: (8.0, 90.0),
    Signal.MANIFEST_STUCK: (6.0, 60.0),
}


@dataclass(frozen=True)
class Event:
    """One signal about an enterprise: what, when, its reference, and (for a hazard) when it ended."""

    signal: Signal
    at: datetime
    ref: str
    note: str = ""
    ended_at: datetime | None = None  # an overdue hazard: when it closed (None: still overdue)


@dataclass(frozen=True)
class Reason:
    """One contribution to the score, as shown to the officer."""

    signal: Signal | None  # None: the base from the assessed level
    ref: str
    points: float
    since: datetime | None
    note: str


@dataclass(frozen=True)
class Score:
    """The score and why."""

    value: float
    reasons: tuple[Reason, ...]


def contribution(event: Event, now: datetime) -> float:
    """The event's points now: its weight halved once per half-life since it ended (or happened)."""
    weight, half_life = WEIGHTS[event.signal]
    if event.signal is Signal.OVERDUE_HAZARD and event.ended_at is None:
        return weight
    start = event.ended_at or event.at
    age_days = max((now - start).total_seconds() / 86400, 0.0)
    return weight * 0.5 ** (age_days / half_life)


def score(assessed: RiskLevel | None, events: Iterable[Event], now: datetime) -> Score:
    """The dynamic score at `now` with its reasons, largest first (events after `now` are ignored)."""
    reasons = [
        Reason(None, "", BASE[assessed], None, f"assessed level {assessed.chinese if assessed else 'none'}")
    ]
    for e in events:
        if e.at > now:
            continue
        points = contribution(e, now)
        if points >= SHOWN_BELOW:
            reasons.append(Reason(e.signal, e.ref, round(points, 2), e.at, e.note))
    total = min(sum(r.points for r in reasons), MAX_SCORE)
    ordered = sorted(reasons, key=lambda r: (-r.points, r.ref))
    return Score(round(total, 2), tuple(ordered))


class Cause(enum.Enum):
    """Why the effective level is above the assessed one (the contract's RiskChangeCause)."""

    HAZARD_OVERDUE = "hazard_overdue"
    PENALTY = "penalty"


@dataclass(frozen=True)
class Adjustment:
    """A lasting cause raising the level one step."""

    cause: Cause
    source_ref: str
    since: datetime
    reason: str


def adjustments(
    *,
    overdue_hazards: Iterable[tuple[str, datetime]],
    penalties: Iterable[tuple[str, datetime]],
    assessment_counted_penalty: bool,
    now: datetime,
) -> tuple[Adjustment, ...]:
    """The causes raising the level now: the earliest open overdue hazard, and the latest penalty of
    the last 3 years unless the assessment already counted one (each cause raises once)."""
    out: list[Adjustment] = []
    hazards = sorted(overdue_hazards, key=lambda h: (h[1], h[0]))
    if hazards:
        ref, since = hazards[0]
        out.append(Adjustment(Cause.HAZARD_OVERDUE, ref, since, f"{len(hazards)} hazard(s) overdue"))
    recent = sorted((p for p in penalties if now - PENALTY_WINDOW <= p[1] <= now), key=lambda p: (p[1], p[0]))
    if recent and not assessment_counted_penalty:
        ref, since = recent[-1]
        out.append(
            Adjustment(Cause.PENALTY, ref, since, "penalised in the last 3 years (HJ 941-2018 clause 8.2)")
        )
    return tuple(out)


def effective_level(assessed: RiskLevel | None, adj: tuple[Adjustment, ...]) -> RiskLevel | None:
    """The assessed level raised one step per adjustment, capped at MAJOR; an unassessed enterprise
    with an adjustment starts from GENERAL, and without one has no level."""
    if assessed is None and not adj:
        return None
    return (assessed or RiskLevel.GENERAL).raised(len(adj))
