"""The JSON shapes of evaluation's answers at the gateway (credit, credit repair, KPIs, scorecards,
hotspots) and the pure functions that build them from the contract's replies (evaluation.proto).

Credit levels are the platform's words ("green" ... "black", "unrated") with the colour, label and
meaning of shared.vocabulary, so the API, the map and the printed code frames agree.
"""

from __future__ import annotations

from datetime import UTC

from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import Field

from eco.v1 import common_pb2, evaluation_pb2
from gateway.contract import Out
from gateway.inputs import In
from gateway.public import names
from shared.china_time import local_iso
from shared.vocabulary import CREDIT_LEVELS

REPAIR_STATUSES = {
    evaluation_pb2.CREDIT_REPAIR_STATUS_REQUESTED: "requested",
    evaluation_pb2.CREDIT_REPAIR_STATUS_APPROVED: "approved",
    evaluation_pb2.CREDIT_REPAIR_STATUS_REFUSED: "refused",
}
REPAIR_STATUS_OF = {word: value for value, word in REPAIR_STATUSES.items()}
LEVEL_OF = {
    names.credit_level(value): value
    for value in common_pb2.CreditLevel.values()
    if value != common_pb2.CREDIT_LEVEL_UNSPECIFIED
}


def when(ts: Timestamp) -> str | None:
    """A set timestamp as China-time ISO; None when unset (unknown is not 1970)."""
    if ts.seconds == 0 and ts.nanos == 0:
        return None
    return local_iso(ts.ToDatetime(tzinfo=UTC))


def day(value: common_pb2.Date) -> str | None:
    """A contract Date as YYYY-MM-DD; None when unset."""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}" if value.year else None


class LevelOut(Out):
    """A credit level as shown everywhere: its word, colour, official label and meaning."""

    level: str = Field(examples=["yellow"])
    colour: str = Field(examples=["#e6ab02"])
    label: str = Field(examples=["环保警示企业"])
    meaning: str = Field(examples=["warned: violations on record, under closer supervision"])


def level_out(value: int) -> LevelOut:
    """The level's word and its look from shared.vocabulary (UNSPECIFIED: "unrated")."""
    word = names.credit_level(value)
    look = CREDIT_LEVELS[word]
    return LevelOut(level=word, colour=look.colour, label=look.label, meaning=look.meaning)


class ReasonOut(Out):
    """One event that counted, the rule it matched and the points it cost."""

    rule_id: str = Field(examples=["penalty.fine"])
    description: str = Field(examples=["罚款或没收违法所得的行政处罚"])
    points: float = Field(examples=[-20.0])
    event_type: str = Field(examples=["PenaltyDecided"])
    subject: str = Field(examples=["case-1"])
    source_event_id: str
    at: str | None = Field(examples=["2026-11-20T10:00:00+08:00"])
    days: int = Field(0, description="Days counted, for a per-day rule (exceedance-days)")
    at_best: str | None = Field(None, description="The best level possible while this event counts")


class CreditOut(Out):
    """An enterprise's credit level, the record that explains it, and since when it holds."""

    uscc: str = Field(examples=["91330100716105852F"])
    level: LevelOut
    score: float = Field(examples=[80.0])
    score_level: str = Field(examples=["blue"], description="The level the score alone earns")
    ceiling: str | None = Field(examples=["yellow"], description="The worst ceiling of the events counted")
    rules_version: str = Field(examples=["cixi-credit-1"])
    explanation: str
    since: str | None = Field(examples=["2026-11-20T10:00:05+08:00"])
    updated_at: str | None
    reasons: list[ReasonOut]


def credit_out(c: evaluation_pb2.Credit) -> CreditOut:
    """A Credit reply as JSON."""
    return CreditOut(
        uscc=c.uscc,
        level=level_out(c.level),
        score=c.score,
        score_level=names.credit_level(c.score_level),
        ceiling=names.credit_level(c.ceiling) if c.ceiling else None,
        rules_version=c.rules_version,
        explanation=c.explanation,
        since=when(c.since),
        updated_at=when(c.updated_at),
        reasons=[
            ReasonOut(
                rule_id=r.rule_id,
                description=r.description,
                points=r.points,
                event_type=r.event_type,
                subject=r.subject,
                source_event_id=r.source_event_id,
                at=when(r.at),
                days=r.days,
                at_best=names.credit_level(r.at_best) if r.at_best else None,
            )
            for r in c.reasons
        ],
    )


class CreditPageOut(Out):
    """One page of enterprises' credit."""

    credits: list[CreditOut]
    next_page_token: str = Field(description="Empty on the last page")
    total: int


class HistoryEntryOut(Out):
    """One stretch of an enterprise's credit: from when, which level, under which rules version."""

    since: str | None = Field(examples=["2026-11-20T10:00:05+08:00"])
    level: LevelOut
    score: float
    rules_version: str = Field(examples=["cixi-credit-1"])


class CreditHistoryOut(Out):
    """An enterprise's credit over time, oldest first."""

    uscc: str
    entries: list[HistoryEntryOut]


def history_out(h: evaluation_pb2.CreditHistory) -> CreditHistoryOut:
    """A CreditHistory reply as JSON."""
    return CreditHistoryOut(
        uscc=h.uscc,
        entries=[
            HistoryEntryOut(
                since=when(e.since), level=level_out(e.level), score=e.score, rules_version=e.rules_version
            )
            for e in h.entries
        ],
    )


class RuleOut(Out):
    """One point rule of a rules version."""

    rule_id: str
    event_type: str
    description: str
    points: float
    per: str = Field(description='"event" or "day"')
    max_points: float
    at_best: str | None
    conditions: list[str] = Field(examples=[["penalties=FINE|CONFISCATION"]])


class RulesOut(Out):
    """A version of the credit point rules (rules are data, versioned), so anyone can check a level."""

    version: str = Field(examples=["cixi-credit-1"])
    effective_from: str | None
    source: str
    window_days: int
    base_score: float
    thresholds: dict[str, float] = Field(examples=[{"green": 95, "blue": 80, "yellow": 60, "red": 0}])
    black_enabled: bool
    recovery_restore_share: float
    rules: list[RuleOut]
    versions: list[str]


def rules_out(r: evaluation_pb2.CreditRules) -> RulesOut:
    """A CreditRules reply as JSON."""
    return RulesOut(
        version=r.version,
        effective_from=day(r.effective_from),
        source=r.source,
        window_days=r.window_days,
        base_score=r.base_score,
        thresholds={names.credit_level(t.level): t.min_score for t in r.thresholds},
        black_enabled=r.black_enabled,
        recovery_restore_share=r.recovery_restore_share,
        rules=[
            RuleOut(
                rule_id=x.rule_id,
                event_type=x.event_type,
                description=x.description,
                points=x.points,
                per=x.per,
                max_points=x.max_points,
                at_best=names.credit_level(x.at_best) if x.at_best else None,
                conditions=list(x.conditions),
            )
            for x in r.rules
        ],
        versions=list(r.versions),
    )


class RepairIn(In):
    """A credit-repair request (信用修复) for a case whose rectification was verified."""

    case_id: str = Field(examples=["case-1"], max_length=200)
    reason: str = Field(default="", examples=["整改已完成并经现场核查"], max_length=1000)


class RepairDecisionIn(In):
    """The bureau's decision on a credit-repair request."""

    approve: bool
    note: str = Field(default="", examples=["整改到位，同意修复"], max_length=1000)


class RepairOut(Out):
    """A credit-repair request and, once decided, the decision."""

    request_id: str
    uscc: str
    case_id: str
    reason: str
    status: str = Field(examples=["requested"], description="requested, approved or refused")
    requested_at: str | None
    decided_at: str | None
    decided_by: str = Field(examples=["gateway/admin"])
    note: str


def repair_out(r: evaluation_pb2.CreditRepair) -> RepairOut:
    """A CreditRepair reply as JSON."""
    return RepairOut(
        request_id=r.request_id,
        uscc=r.uscc,
        case_id=r.case_id,
        reason=r.reason,
        status=REPAIR_STATUSES.get(r.status, "unspecified"),
        requested_at=when(r.requested_at),
        decided_at=when(r.decided_at),
        decided_by="/".join(x for x in (r.decided_by.department, r.decided_by.user) if x),
        note=r.note,
    )


class RepairPageOut(Out):
    """One page of credit-repair requests."""

    repairs: list[RepairOut]
    next_page_token: str
    total: int


class KpiOut(Out):
    """One KPI: value = numerator / denominator, its target, and the newest event it counts."""

    name: str = Field(examples=["problem_closure_rate"])
    title: str = Field(examples=["问题销号率"])
    value: float | None = Field(examples=[0.75], description="None when undefined (nothing to count)")
    target: float = Field(examples=[0.9])
    numerator: int = Field(examples=[3])
    denominator: int = Field(examples=[4])
    at: str | None = Field(examples=["2026-11-30"], description="The date of a stock KPI")
    from_: str | None = Field(alias="from", examples=["2026-01-01"], description="The period of a flow KPI")
    to: str | None = Field(examples=["2026-11-30"])
    newest_event_at: str | None = Field(examples=["2026-11-29T16:20:00+08:00"])
    undefined: bool
    note: str
    weight: float = Field(0.0, description="In a scorecard: the KPI's weight")
    weighted_score: float = Field(0.0, description="In a scorecard: weight x min(value / target, 1) x 100")


def kpi_out(k: evaluation_pb2.Kpi) -> KpiOut:
    """A Kpi reply as JSON."""
    return KpiOut.model_validate(
        {
            "name": k.name,
            "title": k.title,
            "value": None if k.undefined else k.value,
            "target": k.target,
            "numerator": k.numerator,
            "denominator": k.denominator,
            "at": day(k.at),
            "from": day(getattr(k, "from")),
            "to": day(k.to),
            "newest_event_at": when(k.newest_event_at),
            "undefined": k.undefined,
            "note": k.note,
            "weight": k.weight,
            "weighted_score": k.weighted_score,
        }
    )


class KpiListOut(Out):
    """Every KPI at a date and over a period."""

    kpis: list[KpiOut]


class ScorecardOut(Out):
    """A town's or department's scorecard: each KPI's target, actual and weighted score, and the rank."""

    subject: str = Field(examples=["town:浒山"])
    score: float = Field(examples=[86.5])
    rank: int = Field(examples=[2], description="1 is the best of its kind over the period")
    ranked_of: int = Field(examples=[19])
    from_: str | None = Field(alias="from", examples=["2026-11-01"])
    to: str | None = Field(examples=["2026-11-30"])
    eco_share: float = Field(examples=[0.25], description="Eco-civilisation share of the assessment")
    kpis: list[KpiOut]


def scorecard_out(s: evaluation_pb2.Scorecard) -> ScorecardOut:
    """A Scorecard reply as JSON."""
    return ScorecardOut.model_validate(
        {
            "subject": s.subject,
            "score": s.score,
            "rank": s.rank,
            "ranked_of": s.ranked_of,
            "from": day(getattr(s, "from")),
            "to": day(s.to),
            "eco_share": s.eco_share,
            "kpis": [kpi_out(k) for k in s.kpis],
        }
    )


class ScorecardPageOut(Out):
    """One page of the towns' scorecards, best first."""

    scorecards: list[ScorecardOut]
    next_page_token: str
    total: int


class HotspotOut(Out):
    """One place (or industry, pollutant, month) and its problems and petitions, with the trend."""

    key: str = Field(examples=["浒山"])
    problems: int
    petitions: int
    total: int
    previous_total: int
    trend: int = Field(description="total - previous_total")
    rank: int


class OffenderOut(Out):
    """An enterprise with more than one problem in the period."""

    uscc: str
    name: str
    town: str
    problems: int


class HotspotsOut(Out):
    """Where problems and petitions concentrate (矛盾焦点), against the previous period."""

    dimension: str = Field(examples=["town"])
    from_: str | None = Field(alias="from")
    to: str | None
    previous_from: str | None
    previous_to: str | None
    hotspots: list[HotspotOut]
    repeat_offenders: list[OffenderOut]


def hotspots_out(h: evaluation_pb2.Hotspots) -> HotspotsOut:
    """A Hotspots reply as JSON."""
    return HotspotsOut.model_validate(
        {
            "dimension": h.dimension,
            "from": day(getattr(h, "from")),
            "to": day(h.to),
            "previous_from": day(h.previous_from),
            "previous_to": day(h.previous_to),
            "hotspots": [
                HotspotOut(
                    key=s.key,
                    problems=s.problems,
                    petitions=s.petitions,
                    total=s.total,
                    previous_total=s.previous_total,
                    trend=s.trend,
                    rank=s.rank,
                )
                for s in h.hotspots
            ],
            "repeat_offenders": [
                OffenderOut(uscc=o.uscc, name=o.name, town=o.town, problems=o.problems)
                for o in h.repeat_offenders
            ],
        }
    )
