"""Rating one enterprise: its facts, the rule set in force, and a moment → a level with every reason.

Pure: the same facts, rules and moment always give the same rating, whatever order the facts
arrived in. The rating at a moment sees only the facts that had happened by then, within the rule
set's window (the national measures rate the year's record).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from services.evaluation.domain.facts import Fact, sort_key, unique
from services.evaluation.domain.levels import Level, worst
from services.evaluation.domain.rules import PER_DAY, RuleSet
from shared.china_time import day_start, local_day

EXCEEDANCE_TYPES = ("ExceedanceDetected", "ExceedanceCleared")
EMERGENCY_TYPES = ("EmergencyDeclared", "EmergencyRegraded")
RECOVERY_RULE = "recovery.credit_repair"


@dataclass(frozen=True)
class Reason:
    """One counted event: the rule that counted it, its points and any ceiling it sets."""

    rule_id: str
    description: str
    points: float
    event_id: str
    event_type: str
    at: datetime
    subject: str = ""
    days: int = 0
    at_best: Level | None = None


@dataclass(frozen=True)
class Rating:
    """A level with its explanation."""

    level: Level
    score: float
    score_level: Level
    ceiling: Level | None
    rules_version: str
    reasons: tuple[Reason, ...]
    at: datetime

    def explanation(self, rules: RuleSet) -> str:
        """One sentence saying how the level came about."""
        counted = f"{len(self.reasons)} event(s) counted" if self.reasons else "no event counted"
        text = (
            f"score {self.score:g} = base {rules.base_score:g} {_signed(self.score - rules.base_score)} "
            f"({counted} in the last {rules.window_days} days) → {self.score_level.value}"
        )
        if self.ceiling is not None and self.ceiling.rank > self.score_level.rank:
            causes = sorted({r.rule_id for r in self.reasons if r.at_best is self.ceiling})
            text += f"; at best {self.ceiling.value} because of {', '.join(causes)}"
        return f"{text}; level {self.level.value} under rules {self.rules_version}"


def _signed(value: float) -> str:
    return f"+ {value:g}" if value >= 0 else f"- {abs(value):g}"


@dataclass(frozen=True)
class _Item:
    event_id: str
    type: str
    at: datetime
    subject: str
    fields: dict[str, Any]
    days: int = 0


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _exceedance_items(facts: list[Fact], at: datetime, window_start: datetime) -> list[_Item]:
    """One item per exceedance, with the city's calendar days it lasted within the window."""
    by_id: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        by_id[fact.subject].append(fact)
    items = []
    for group in by_id.values():
        group.sort(key=sort_key)
        opened = min(_parse_time(f.get("opened_at")) or f.at for f in group)
        cleared = min((c for f in group if (c := _parse_time(f.get("cleared_at"))) is not None), default=None)
        end = min(cleared, at) if cleared is not None else at
        first_day = local_day(max(opened, window_start))
        days = (local_day(end) - first_day).days + 1 if end >= window_start else 0
        if days <= 0 or opened > at:
            continue
        base = next((f for f in group if f.type == "ExceedanceDetected"), group[0])
        items.append(_Item(base.event_id, "ExceedanceDetected", opened, base.subject, base.data, days))
    return items


def _emergency_items(facts: list[Fact]) -> list[_Item]:
    """One item per emergency, at the grade of its newest regrading."""
    by_id: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        by_id[fact.subject].append(fact)
    items = []
    for group in by_id.values():
        group.sort(key=sort_key)
        declared = next((f for f in group if f.type == "EmergencyDeclared"), None)
        if declared is None:
            continue  # a regrading whose declaration has not arrived: nothing to rate yet
        fields = {**declared.data, "grade": group[-1].get("grade", declared.get("grade"))}
        items.append(_Item(declared.event_id, "EmergencyDeclared", declared.at, declared.subject, fields))
    return items


def _items(facts: list[Fact], at: datetime, window_start: datetime) -> list[_Item]:
    seen = [f for f in facts if f.at <= at]
    items = _exceedance_items([f for f in seen if f.type in EXCEEDANCE_TYPES], at, window_start)
    items += _emergency_items([f for f in seen if f.type in EMERGENCY_TYPES])
    items += [
        _Item(f.event_id, f.type, f.at, f.subject, f.data)
        for f in seen
        if f.type not in EXCEEDANCE_TYPES + EMERGENCY_TYPES and f.at > window_start
    ]
    return [i for i in items if i.at > window_start or i.type == "ExceedanceDetected"]


def _repaired_cases(facts: list[Fact], at: datetime) -> dict[str, Fact]:
    """Cases whose rectification was verified and whose credit-repair request was approved, by `at`."""
    verified = {
        f.subject
        for f in facts
        if f.type == "CaseAdvanced" and f.at <= at and f.get("rectification_verified")
    }
    approvals = sorted(
        (f for f in facts if f.type == "CreditRepairDecided" and f.at <= at and f.get("approved")),
        key=sort_key,
    )
    return {f.get("case_id"): f for f in approvals if f.get("case_id") in verified}


def rate(facts: list[Fact], rules: RuleSet, at: datetime) -> Rating:
    """The rating at `at` under `rules`."""
    facts = unique(facts)
    window_start = at - timedelta(days=rules.window_days)
    repaired = _repaired_cases(facts, at)
    reasons: list[Reason] = []
    for item in sorted(_items(facts, at, window_start), key=lambda i: (i.at, i.event_id)):
        rule = rules.rule_for(item.type, item.fields)
        if rule is None:
            continue
        points = rule.points * (item.days if rule.per == PER_DAY else 1)
        if rule.max_points is not None:
            points = max(points, -rule.max_points)
        at_best = rule.at_best
        repair = repaired.get(item.fields.get("case_id", "")) if item.type == "PenaltyDecided" else None
        if repair is not None and rules.recovery.lift_ceiling:
            at_best = None
        reasons.append(
            Reason(
                rule.rule_id,
                rule.description,
                points,
                item.event_id,
                item.type,
                item.at,
                item.subject,
                item.days,
                at_best,
            )
        )
        if repair is not None and points:
            restored = -points * rules.recovery.restore_share
            reasons.append(
                Reason(
                    RECOVERY_RULE,
                    f"信用修复: 整改经核查且修复申请获批 (request {repair.subject})",
                    restored,
                    repair.event_id,
                    repair.type,
                    repair.at,
                    item.subject,
                )
            )
    score = max(0.0, rules.base_score + math.fsum(r.points for r in reasons))
    score_level = rules.level_for(score)
    ceilings = [r.at_best for r in reasons if r.at_best is not None]
    ceiling = worst(*ceilings) if ceilings else None
    level = rules.cap(worst(score_level, ceiling) if ceiling else score_level)
    return Rating(level, round(score, 2), score_level, ceiling, rules.version, tuple(reasons), at)


def change_points(facts: list[Fact], starts: list[date], windows: set[int], now: datetime) -> list[datetime]:
    """Every moment up to `now` at which a rating can change: a fact, a fact leaving the window, a
    rule set taking effect, and each day an open exceedance adds."""
    points = set()
    for fact in facts:
        points.add(fact.at)
        points.update(fact.at + timedelta(days=w, microseconds=1) for w in windows)
    for fact in facts:
        if fact.type in EXCEEDANCE_TYPES:
            opened = _parse_time(fact.get("opened_at")) or fact.at
            end = _parse_time(fact.get("cleared_at")) or now
            day = local_day(opened) + timedelta(days=1)
            while day_start(day) <= min(end, now) and len(points) < 10_000:
                points.add(day_start(day))
                day += timedelta(days=1)
    points.update(day_start(d) for d in starts)
    return sorted(p for p in points if p <= now)


def next_change(facts: list[Fact], starts: list[date], windows: set[int], now: datetime) -> datetime | None:
    """The first moment after `now` at which the rating may change without a new event."""
    later = [f.at + timedelta(days=w, microseconds=1) for f in facts for w in windows]
    later += [day_start(d) for d in starts]
    cleared = {f.subject for f in facts if f.type == "ExceedanceCleared"}
    if any(f.type == "ExceedanceDetected" and f.subject not in cleared for f in facts):
        later.append(day_start(local_day(now) + timedelta(days=1)))
    future = [p for p in later if p > now]
    return min(future) if future else None
