"""The translation module between evaluation's domain and its contract (evaluation.proto): replies,
and the payloads of the events evaluation publishes (`event_message`, wired as Deps.translate).
Consumed events are read in entrypoints/facts_in.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from google.protobuf.message import Message

from eco.v1 import common_pb2, evaluation_pb2
from services.evaluation.adapters.repository import StoredCredit
from services.evaluation.domain import events as ev
from services.evaluation.domain.credit import Rating, Reason
from services.evaluation.domain.history import Entry
from services.evaluation.domain.hotspots import Hotspot, Offender
from services.evaluation.domain.kpis import Kpi
from services.evaluation.domain.levels import Level
from services.evaluation.domain.periods import Period
from services.evaluation.domain.repair import Repair, RepairStatus
from services.evaluation.domain.rules import RuleSet
from services.evaluation.domain.scorecards import Card
from shared.proto_values import date_pb, timestamp

LEVEL: dict[Level, common_pb2.CreditLevel] = {
    Level.GREEN: common_pb2.CREDIT_LEVEL_GREEN,
    Level.BLUE: common_pb2.CREDIT_LEVEL_BLUE,
    Level.YELLOW: common_pb2.CREDIT_LEVEL_YELLOW,
    Level.RED: common_pb2.CREDIT_LEVEL_RED,
    Level.BLACK: common_pb2.CREDIT_LEVEL_BLACK,
}
LEVEL_FROM_PROTO = {v: k for k, v in LEVEL.items()}
REPAIR_STATUS = {
    RepairStatus.REQUESTED: evaluation_pb2.CREDIT_REPAIR_STATUS_REQUESTED,
    RepairStatus.APPROVED: evaluation_pb2.CREDIT_REPAIR_STATUS_APPROVED,
    RepairStatus.REFUSED: evaluation_pb2.CREDIT_REPAIR_STATUS_REFUSED,
}
REPAIR_STATUS_FROM_PROTO = {v: k for k, v in REPAIR_STATUS.items()}


def level(value: Level | None) -> common_pb2.CreditLevel:
    """A level on the wire (UNSPECIFIED for none)."""
    return LEVEL[value] if value is not None else common_pb2.CreditLevel.CREDIT_LEVEL_UNSPECIFIED


def reason(r: Reason) -> evaluation_pb2.CreditReason:
    """One counted event."""
    return evaluation_pb2.CreditReason(
        rule_id=r.rule_id,
        description=r.description,
        points=r.points,
        source_event_id=r.event_id,
        at=timestamp(r.at),
        event_type=r.event_type,
        subject=r.subject,
        days=r.days,
        at_best=level(r.at_best),
    )


def credit(c: StoredCredit) -> evaluation_pb2.Credit:
    """An enterprise's rating with its explanation."""
    r = c.rating
    return evaluation_pb2.Credit(
        uscc=c.uscc,
        level=level(r.level),
        score=r.score,
        rules_version=r.rules_version,
        reasons=[reason(x) for x in r.reasons],
        updated_at=timestamp(c.since),
        explanation=c.explanation,
        score_level=level(r.score_level),
        ceiling=level(r.ceiling),
        level_label=r.level.label,
        since=timestamp(c.since),
    )


def history(uscc: str, entries: list[Entry]) -> evaluation_pb2.CreditHistory:
    """An enterprise's credit over time."""
    return evaluation_pb2.CreditHistory(
        uscc=uscc,
        entries=[
            evaluation_pb2.CreditHistoryEntry(
                since=timestamp(e.since), level=level(e.level), score=e.score, rules_version=e.rules_version
            )
            for e in entries
        ],
    )


def rules(r: RuleSet, versions: list[str]) -> evaluation_pb2.CreditRules:
    """One rules version, readable by anyone."""
    return evaluation_pb2.CreditRules(
        version=r.version,
        effective_from=date_pb(r.effective_from),
        source=r.source,
        window_days=r.window_days,
        base_score=r.base_score,
        thresholds=[
            evaluation_pb2.CreditLevelThreshold(level=level(lv), min_score=m) for lv, m in r.thresholds
        ],
        black_enabled=r.black_enabled,
        rules=[
            evaluation_pb2.CreditRule(
                rule_id=x.rule_id,
                event_type=x.event,
                description=x.description,
                points=x.points,
                per=x.per,
                max_points=x.max_points or 0.0,
                at_best=level(x.at_best),
                conditions=[f"{k}={'|'.join(v)}" for k, v in x.match],
            )
            for x in r.rules
        ],
        recovery_restore_share=r.recovery.restore_share,
        versions=versions,
    )


def repair(r: Repair) -> evaluation_pb2.CreditRepair:
    """A credit-repair request."""
    msg = evaluation_pb2.CreditRepair(
        request_id=r.request_id,
        uscc=r.uscc,
        case_id=r.case_id,
        reason=r.reason,
        status=REPAIR_STATUS[r.status],
        requested_at=timestamp(r.requested_at),
        decided_by=common_pb2.Actor(department=r.decided_by),
        note=r.note,
    )
    if r.decided_at is not None:
        msg.decided_at.CopyFrom(timestamp(r.decided_at))
    return msg


def kpi(k: Kpi, *, weight: float = 0.0, weighted_score: float = 0.0) -> evaluation_pb2.Kpi:
    """One KPI with its counts and target."""
    msg = evaluation_pb2.Kpi(
        name=k.name,
        value=k.value,
        target=k.target,
        numerator=k.numerator,
        denominator=k.denominator,
        at=date_pb(k.at),
        to=date_pb(k.end),
        undefined=k.undefined,
        note=k.note,
        title=k.title,
        weight=weight,
        weighted_score=weighted_score,
    )
    getattr(msg, "from").CopyFrom(date_pb(k.start))  # `from` is a Python keyword
    if k.newest_event_at is not None:
        msg.newest_event_at.CopyFrom(timestamp(k.newest_event_at))
    return msg


def scorecard(c: Card, p: Period, eco_share: float) -> evaluation_pb2.Scorecard:
    """A ranked scorecard."""
    msg = evaluation_pb2.Scorecard(
        subject=c.subject,
        kpis=[kpi(line.kpi, weight=line.weight, weighted_score=line.weighted_score) for line in c.lines],
        score=c.score,
        rank=c.rank,
        ranked_of=c.ranked_of,
        to=date_pb(p.end),
        eco_share=eco_share,
    )
    getattr(msg, "from").CopyFrom(date_pb(p.start))
    return msg


def hotspots(
    dimension: str, p: Period, spots: list[Hotspot], offenders: list[Offender]
) -> evaluation_pb2.Hotspots:
    """A hotspot ranking."""
    before = p.previous()
    msg = evaluation_pb2.Hotspots(
        dimension=dimension,
        to=date_pb(p.end),
        previous_from=date_pb(before.start),
        previous_to=date_pb(before.end),
        hotspots=[
            evaluation_pb2.Hotspot(
                key=s.key,
                problems=s.problems,
                petitions=s.petitions,
                total=s.total,
                previous_total=s.previous_total,
                trend=s.trend,
                rank=s.rank,
            )
            for s in spots
        ],
        repeat_offenders=[
            evaluation_pb2.RepeatOffender(uscc=o.uscc, name=o.name, town=o.town, problems=o.problems)
            for o in offenders
        ],
    )
    getattr(msg, "from").CopyFrom(date_pb(p.start))
    return msg


def _credit_changed(e: ev.CreditChanged) -> evaluation_pb2.CreditChanged:
    r: Rating = e.rating
    return evaluation_pb2.CreditChanged(
        uscc=e.uscc,
        previous_level=level(e.previous_level),
        level=level(r.level),
        score=r.score,
        rules_version=r.rules_version,
        reasons=[reason(x) for x in r.reasons],
    )


def _scorecard_published(e: ev.ScorecardPublished) -> evaluation_pb2.ScorecardPublished:
    msg = evaluation_pb2.ScorecardPublished(
        scorecard=scorecard(e.card, e.period, e.eco_share), to=date_pb(e.period.end)
    )
    getattr(msg, "from").CopyFrom(date_pb(e.period.start))
    return msg


_EVENTS: dict[type, Callable[[Any], Message]] = {
    ev.CreditChanged: _credit_changed,
    ev.CreditRepairRequested: lambda e: evaluation_pb2.CreditRepairRequested(repair=repair(e.repair)),
    ev.CreditRepairDecided: lambda e: evaluation_pb2.CreditRepairDecided(repair=repair(e.repair)),
    ev.ScorecardPublished: _scorecard_published,
}


def event_message(event: object) -> Message:
    """The contract payload of one of evaluation's domain events."""
    try:
        build = _EVENTS[type(event)]
    except KeyError:
        raise TypeError(f"no contract message for {type(event).__name__}") from None
    return build(event)
