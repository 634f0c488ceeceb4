"""Credit point rules as data, versioned (REFERENCE.md "Enterprise environmental credit": the exact
rules are provincial, so the platform keeps them as data and shows why a level was given).

A rule set is a JSON document (services/evaluation/rules/*.json): the version, the day it takes
effect, the evaluation window, the base score, the score thresholds of the levels, and the rules.
Each rule matches one event type (and optionally field values), and gives points per event or per
day, optionally capped, and optionally a ceiling (`at_best`: the level is never better than this
while the event counts; "red" for a larger emergency caused by the enterprise is a forced level).
The first matching rule counts for an event, so the more specific or severe rules come first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from services.evaluation.domain.levels import ORDER, Level, parse

PER_EVENT = "event"
PER_DAY = "day"


@dataclass(frozen=True)
class Rule:
    """One point rule: which events it counts and what each costs."""

    rule_id: str
    event: str
    description: str
    points: float
    per: str = PER_EVENT
    match: tuple[tuple[str, tuple[str, ...]], ...] = ()
    max_points: float | None = None  # the most (in absolute value) one event can cost
    at_best: Level | None = None

    def matches(self, fields: dict[str, Any]) -> bool:
        """Whether an event's fields satisfy every condition (a list field matches if any item does)."""
        for key, wanted in self.match:
            value = fields.get(key)
            values = [str(v) for v in value] if isinstance(value, list) else [str(value)]
            if not any(v in wanted for v in values):
                return False
        return True


@dataclass(frozen=True)
class Recovery:
    """Credit repair (信用修复): a penalty's points come back, and its ceiling lifts, once its
    rectification is verified and a credit-repair request for its case is approved."""

    restore_share: float
    lift_ceiling: bool


@dataclass(frozen=True)
class RuleSet:
    """One version of the rules."""

    version: str
    effective_from: date
    source: str
    window_days: int
    base_score: float
    thresholds: tuple[tuple[Level, float], ...]  # best level first, each with its minimum score
    black_enabled: bool
    rules: tuple[Rule, ...]
    recovery: Recovery

    def level_for(self, score: float) -> Level:
        """The level a score alone earns."""
        for level, minimum in self.thresholds:
            if score >= minimum:
                return level
        return self.thresholds[-1][0]

    def rule_for(self, event: str, fields: dict[str, Any]) -> Rule | None:
        """The first rule that counts this event, or None."""
        return next((r for r in self.rules if r.event == event and r.matches(fields)), None)

    def cap(self, level: Level) -> Level:
        """Black only where configured; elsewhere the worst level is red."""
        return Level.RED if level is Level.BLACK and not self.black_enabled else level


def _require(doc: dict[str, Any], key: str, where: str) -> Any:
    if key not in doc:
        raise ValueError(f"{where}.{key}: required")
    return doc[key]


def _rule(doc: dict[str, Any], where: str) -> Rule:
    per = doc.get("per", PER_EVENT)
    if per not in (PER_EVENT, PER_DAY):
        raise ValueError(f"{where}.per: must be {PER_EVENT!r} or {PER_DAY!r}")
    points = float(_require(doc, "points", where))
    if points > 0:
        raise ValueError(f"{where}.points: a rule lowers the score (0 or negative), got {points}")
    match = tuple(
        (str(k), tuple(str(x) for x in (v if isinstance(v, list) else [v])))
        for k, v in sorted(doc.get("match", {}).items())
    )
    max_points = doc.get("max_points")
    return Rule(
        rule_id=str(_require(doc, "id", where)),
        event=str(_require(doc, "event", where)),
        description=str(_require(doc, "description", where)),
        points=points,
        per=per,
        match=match,
        max_points=abs(float(max_points)) if max_points is not None else None,
        at_best=parse(doc["at_best"], field=f"{where}.at_best") if doc.get("at_best") else None,
    )


def from_dict(doc: dict[str, Any]) -> RuleSet:
    """A rule set from its JSON document; ValueError naming the field that is wrong."""
    version = str(_require(doc, "version", "rules")).strip()
    if not version:
        raise ValueError("rules.version: must not be empty")
    where = f"rules[{version}]"
    thresholds = tuple(
        (parse(t["level"], field=f"{where}.levels[{i}].level"), float(t["min_score"]))
        for i, t in enumerate(_require(doc, "levels", where))
    )
    if [lvl.rank for lvl, _ in thresholds] != sorted(lvl.rank for lvl, _ in thresholds):
        raise ValueError(f"{where}.levels: list the levels from best to worst")
    if [m for _, m in thresholds] != sorted((m for _, m in thresholds), reverse=True):
        raise ValueError(f"{where}.levels: minimum scores must fall from best to worst")
    rules = tuple(_rule(r, f"{where}.rules[{i}]") for i, r in enumerate(_require(doc, "rules", where)))
    ids = [r.rule_id for r in rules]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{where}.rules: rule ids must be unique")
    recovery = doc.get("recovery", {})
    share = float(recovery.get("restore_share", 1.0))
    if not 0 <= share <= 1:
        raise ValueError(f"{where}.recovery.restore_share: must be between 0 and 1")
    window = int(_require(doc, "window_days", where))
    if window <= 0:
        raise ValueError(f"{where}.window_days: must be positive")
    return RuleSet(
        version=version,
        effective_from=date.fromisoformat(str(_require(doc, "effective_from", where))),
        source=str(doc.get("source", "")),
        window_days=window,
        base_score=float(_require(doc, "base_score", where)),
        thresholds=thresholds,
        black_enabled=bool(doc.get("black_enabled", False)),
        rules=rules,
        recovery=Recovery(share, bool(recovery.get("lift_ceiling", True))),
    )


@dataclass(frozen=True)
class RuleBook:
    """Every version, oldest first; the version in force on a day is the newest that has started."""

    versions: tuple[RuleSet, ...]

    def __post_init__(self) -> None:
        if not self.versions:
            raise ValueError("rules: at least one version is needed")
        names = [v.version for v in self.versions]
        if len(set(names)) != len(names):
            raise ValueError(f"rules: duplicate versions in {names}")

    def in_force(self, day: date) -> RuleSet:
        """The version in force on `day` (the oldest one before any has started)."""
        started = [v for v in self.versions if v.effective_from <= day]
        return started[-1] if started else self.versions[0]

    def starts(self) -> list[date]:
        """The days a version takes effect."""
        return [v.effective_from for v in self.versions]


def book(sets: Iterable[RuleSet]) -> RuleBook:
    """A rule book of the given versions, ordered by the day each takes effect."""
    return RuleBook(tuple(sorted(sets, key=lambda s: (s.effective_from, s.version))))


def load_dir(*directories: Path) -> RuleBook:
    """Every `*.json` rule set in the directories."""
    sets = [
        from_dict(json.loads(path.read_text(encoding="utf-8")))
        for directory in directories
        for path in sorted(directory.glob("*.json"))
    ]
    return book(sets)


__all__ = ["ORDER", "PER_DAY", "PER_EVENT", "Recovery", "Rule", "RuleBook", "RuleSet", "book", "from_dict"]
