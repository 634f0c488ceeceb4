"""Hotspots (矛盾焦点): where problems and petitions concentrate in a period, by grid, town,
industry, pollutant, category or month, with the change against the previous period of the same
length, and the enterprises with more than one problem (repeat offenders)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from services.evaluation.domain.facts import Fact
from services.evaluation.domain.kpis import end_of
from services.evaluation.domain.periods import Period
from services.evaluation.domain.profiles import Profile
from shared.china_time import day_start, local_day

DIMENSIONS = ("grid", "town", "industry", "pollutant", "category", "month")
TYPES = ("ProblemOpened", "PetitionReceived", "ExceedanceDetected")
UNKNOWN = "(unknown)"


@dataclass(frozen=True)
class Hotspot:
    key: str
    problems: int
    petitions: int
    previous_total: int
    rank: int

    @property
    def total(self) -> int:
        """Problems and petitions."""
        return self.problems + self.petitions

    @property
    def trend(self) -> int:
        """The change against the previous period."""
        return self.total - self.previous_total


@dataclass(frozen=True)
class Offender:
    uscc: str
    name: str
    town: str
    problems: int


def _key_of(dimension: str, facts: list[Fact], profiles: dict[str, Profile]) -> Callable[[Fact], str]:
    exceedances = {f.event_id: f for f in facts if f.type == "ExceedanceDetected"}

    def key(f: Fact) -> str:
        profile = profiles.get(f.uscc)
        if dimension == "grid":
            return str(f.get("grid") or (profile.grid if profile else "")) or UNKNOWN
        if dimension == "town":
            return f.town or (profile.town if profile else "") or UNKNOWN
        if dimension == "industry":
            return profile.industry if profile and profile.industry else UNKNOWN
        if dimension == "pollutant":
            # A problem opened from an exceedance names the event as its source_ref.
            source = exceedances.get(str(f.get("source_ref", "")))
            return str(source.get("parameter")) if source else UNKNOWN
        if dimension == "category":
            return str(f.get("category") or UNKNOWN)
        return local_day(f.at).strftime("%Y-%m")

    return key


def _within(f: Fact, p: Period) -> bool:
    return day_start(p.start) <= f.at <= end_of(p.end)


def hotspots(
    facts: list[Fact], profiles: list[Profile], dimension: str, period: Period, limit: int
) -> tuple[list[Hotspot], list[Offender]]:
    """The ranking for one dimension, and the repeat offenders of the period."""
    by_uscc = {p.uscc: p for p in profiles}
    key = _key_of(dimension, facts, by_uscc)
    counted = [f for f in facts if f.type in ("ProblemOpened", "PetitionReceived")]
    now = [f for f in counted if _within(f, period)]
    before = [f for f in counted if _within(f, period.previous())]
    problems = Counter(key(f) for f in now if f.type == "ProblemOpened")
    petitions = Counter(key(f) for f in now if f.type == "PetitionReceived")
    previous = Counter(key(f) for f in before)
    keys = sorted(set(problems) | set(petitions), key=lambda k: (-(problems[k] + petitions[k]), k))
    spots = [Hotspot(k, problems[k], petitions[k], previous[k], i + 1) for i, k in enumerate(keys[:limit])]
    repeats = Counter(f.uscc for f in now if f.type == "ProblemOpened" and f.uscc)
    offenders = [
        Offender(u, by_uscc[u].name if u in by_uscc else "", by_uscc[u].town if u in by_uscc else "", n)
        for u, n in sorted(repeats.items(), key=lambda item: (-item[1], item[0]))
        if n > 1
    ]
    return spots, offenders


def latest(facts: list[Fact]) -> datetime | None:
    """The newest fact counted."""
    return max((f.at for f in facts), default=None)
