"""The risk routes' request and response models, and the translation between them and the risk
service's messages (eco.v1.risk). No I/O: the routes in gateway.routers.risk call the service.

Enums travel as short lower-case words ("open", "major"); emergency grades as the plan writes them
("I".."IV", 国家突发环境事件应急预案 2014). Every rule on the values is the risk service's: these models
check only what JSON alone can say (types, presence), so a refusal names the field as the service does.
"""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, Field

from eco.v1 import common_pb2, risk_pb2
from gateway.contract import Out
from gateway.inputs import In, timestamp
from shared.errors import InvalidArgument


def _words(enum: Any, prefix: str) -> dict[str, int]:
    """A proto enum's values by short lower-case name ("HAZARD_STATUS_OPEN" -> "open")."""
    return {
        name.removeprefix(prefix).lower(): number
        for name, number in enum.items()
        if not name.endswith("UNSPECIFIED")
    }


HAZARD_STATUSES = _words(risk_pb2.HazardStatus, "HAZARD_STATUS_")
HAZARD_GRADES = _words(risk_pb2.HazardGrade, "HAZARD_GRADE_")
HAZARD_SOURCES = _words(risk_pb2.HazardSource, "HAZARD_SOURCE_")
EMERGENCY_STATUSES = _words(risk_pb2.EmergencyStatus, "EMERGENCY_STATUS_")
# "I".."IV": the grades of the national emergency plan (2014), most severe first.
EMERGENCY_GRADES = {
    name.upper(): n for name, n in _words(risk_pb2.EmergencyGrade, "EMERGENCY_GRADE_").items()
}
DISPATCH_STATUSES = _words(risk_pb2.DispatchStatus, "DISPATCH_STATUS_")
MANIFEST_STATUSES = _words(risk_pb2.ManifestStatus, "MANIFEST_STATUS_")
RISK_LEVELS = _words(risk_pb2.RiskLevel, "RISK_LEVEL_")
ASSESSMENT_SOURCES = _words(risk_pb2.AssessmentSource, "ASSESSMENT_SOURCE_")
CHANGE_CAUSES = _words(risk_pb2.RiskChangeCause, "RISK_CHANGE_CAUSE_")
# HJ 941-2018's names of the three levels (一般 / 较大 / 重大环境风险).
LEVEL_CHINESE = {"general": "一般", "significant": "较大", "major": "重大"}


def word_of(table: dict[str, int], number: int) -> str | None:
    """The short name of an enum number; None when unset."""
    for word, value in table.items():
        if value == number:
            return word
    return None


def number_of(field: str, raw: str, table: dict[str, int]) -> int:
    """The enum number a short name stands for; InvalidArgument naming the field otherwise."""
    # Emergency grades are Roman numerals written in capitals; every other word is lower case.
    key = raw.strip().upper() if table is EMERGENCY_GRADES else raw.strip().lower()
    value = table.get(key)
    if value is None:
        raise InvalidArgument(field, f"must be one of {', '.join(table)}, got {raw!r}")
    return value


def numbers_of(field: str, raws: list[str] | None, table: dict[str, int]) -> list[Any]:
    """The enum numbers of a repeated filter (`status=open&status=rectified`), each refusal naming
    its position (status[1])."""
    return [number_of(f"{field}[{i}]", raw, table) for i, raw in enumerate(raws or [])]


def when(message: Any, field: str) -> str | None:
    """A Timestamp field as RFC 3339 UTC text; None when unset."""
    return getattr(message, field).ToJsonString() if message.HasField(field) else None


# ----------------------------------------------------------------------------------- shared parts


class Point(Out):
    """A WGS 84 location."""

    lat: float = Field(examples=[30.2])
    lon: float = Field(examples=[121.3])


def point_out(message: Any, field: str) -> Point | None:
    """A GeoPoint field; None when unset (proto3 cannot tell it from 0,0, where nothing of ours lies)."""
    pb: common_pb2.GeoPoint = getattr(message, field)
    if not message.HasField(field) or (pb.lat == 0 and pb.lon == 0):
        return None
    return Point(lat=pb.lat, lon=pb.lon)


class ActorOut(Out):
    """Who did something (department, operator) and why."""

    department: str
    user: str
    reason: str


def actor_out(pb: common_pb2.Actor) -> ActorOut:
    """An Actor message as JSON."""
    return ActorOut(department=pb.department, user=pb.user, reason=pb.reason)


class Amount(Out):
    """A quantity of one supply item (each item keeps one unit, e.g. kg of activated carbon)."""

    item_code: str = Field(examples=["activated_carbon"])
    item_name: str = ""
    value: float = Field(examples=[500])
    unit: str = Field(default="", examples=["kg"])


def amount_out(pb: risk_pb2.SupplyAmount) -> Amount:
    """A SupplyAmount as JSON."""
    return Amount(
        item_code=pb.item_code, item_name=pb.item_name, value=pb.quantity.value, unit=pb.quantity.unit
    )


def amount_pb(amount: Amount) -> risk_pb2.SupplyAmount:
    """A need as the risk service takes it."""
    return risk_pb2.SupplyAmount(
        item_code=amount.item_code, quantity=common_pb2.Quantity(value=amount.value, unit=amount.unit)
    )


def geo(lat: float | None, lon: float | None) -> common_pb2.GeoPoint | None:
    """A GeoPoint from optional coordinates (both or neither)."""
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        raise InvalidArgument("location", "give both lat and lon, or neither")
    return common_pb2.GeoPoint(lat=lat, lon=lon)


class Paged(Out):
    """The paging fields of every list answer."""

    next_page_token: str = Field(description="Empty on the last page; pass it as page_token for the next")
    total: int


# ------------------------------------------------------------------------------------------ hazards


class RectificationOut(Out):
    """A hazard's reported rectification and the officer's check."""

    measures: str
    evidence_refs: list[str]
    completed_at: str | None
    reported_by: ActorOut
    accepted: bool
    check_note: str
    checked_by: ActorOut
    checked_at: str | None


class DeadlineChangeOut(Out):
    """A moved rectification deadline (kept so an extension cannot hide an overdue hazard)."""

    previous: str | None
    deadline: str | None
    reason: str
    actor: ActorOut
    at: str | None


class HazardOut(Out):
    """A hidden hazard (环境安全隐患) and its rectification."""

    hazard_id: str
    uscc: str
    title: str
    description: str
    grade: str | None = Field(description=f"One of {', '.join(HAZARD_GRADES)}")
    source: str | None = Field(description=f"One of {', '.join(HAZARD_SOURCES)}")
    location: Point | None
    town: str
    found_at: str | None
    found_by: ActorOut
    rectify_by: str | None
    required_measures: str
    status: str | None = Field(description=f"One of {', '.join(HAZARD_STATUSES)}")
    overdue: bool
    overdue_since: str | None
    rectification: RectificationOut | None
    deadline_changes: list[DeadlineChangeOut]
    closed_at: str | None


def hazard_out(h: risk_pb2.Hazard) -> HazardOut:
    """A Hazard as JSON."""
    r = h.rectification
    return HazardOut(
        hazard_id=h.hazard_id,
        uscc=h.uscc,
        title=h.title,
        description=h.description,
        grade=word_of(HAZARD_GRADES, h.grade),
        source=word_of(HAZARD_SOURCES, h.source),
        location=point_out(h, "location"),
        town=h.town,
        found_at=when(h, "found_at"),
        found_by=actor_out(h.found_by),
        rectify_by=when(h, "rectify_by"),
        required_measures=h.required_measures,
        status=word_of(HAZARD_STATUSES, h.status),
        overdue=h.overdue,
        overdue_since=when(h, "overdue_since"),
        rectification=RectificationOut(
            measures=r.measures,
            evidence_refs=list(r.evidence_refs),
            completed_at=when(r, "completed_at"),
            reported_by=actor_out(r.reported_by),
            accepted=r.accepted,
            check_note=r.check_note,
            checked_by=actor_out(r.checked_by),
            checked_at=when(r, "checked_at"),
        )
        if h.HasField("rectification")
        else None,
        deadline_changes=[
            DeadlineChangeOut(
                previous=when(c, "previous"),
                deadline=when(c, "deadline"),
                reason=c.reason,
                actor=actor_out(c.actor),
                at=when(c, "at"),
            )
            for c in h.deadline_changes
        ],
        closed_at=when(h, "closed_at"),
    )


class HazardPage(Paged):
    """A page of hazards."""

    hazards: list[HazardOut]


class HazardIn(In):
    """A hazard found at an enterprise, with its rectification deadline."""

    uscc: str = Field(examples=["91330282MA2PLAT01X"])
    title: str = Field(examples=["电镀车间废液收集池防渗层破损"])
    description: str = ""
    grade: str = Field(examples=["general"], description=f"One of {', '.join(HAZARD_GRADES)}")
    source: str = Field(examples=["inspection"], description=f"One of {', '.join(HAZARD_SOURCES)}")
    lat: float | None = Field(default=None, description="Defaults to the enterprise's location")
    lon: float | None = None
    found_at: AwareDatetime | None = Field(default=None, description="Defaults to now")
    rectify_by: AwareDatetime = Field(examples=["2026-04-30T17:00:00+08:00"])
    required_measures: str = ""


def report_pb(hazard_in: HazardIn, actor: common_pb2.Actor) -> risk_pb2.ReportHazardRequest:
    """The ReportHazard request of a hazard posted to the gateway."""
    return risk_pb2.ReportHazardRequest(
        uscc=hazard_in.uscc,
        title=hazard_in.title,
        description=hazard_in.description,
        grade=number_of("grade", hazard_in.grade, HAZARD_GRADES),  # type: ignore[arg-type]
        source=number_of("source", hazard_in.source, HAZARD_SOURCES),  # type: ignore[arg-type]
        location=geo(hazard_in.lat, hazard_in.lon),
        found_at=timestamp("found_at", hazard_in.found_at),
        rectify_by=timestamp("rectify_by", hazard_in.rectify_by),
        required_measures=hazard_in.required_measures,
        actor=actor,
    )


class ExtendIn(In):
    """A later rectification deadline for an open hazard, with the reason (one extension)."""

    rectify_by: AwareDatetime = Field(examples=["2026-05-31T17:00:00+08:00"])
    reason: str = Field(examples=["防渗材料到货延迟"])


class RectificationIn(In):
    """The enterprise's report that a hazard is rectified, with its evidence."""

    measures: str = Field(examples=["更换防渗层并做闭水试验"])
    evidence_refs: list[str] = Field(default_factory=list, examples=[["evidence/2026/0412-photo-1.jpg"]])
    completed_at: AwareDatetime | None = Field(default=None, description="Defaults to now")


class VerificationIn(In):
    """An officer's check of a reported rectification: accepted closes the hazard, rejected reopens it."""

    accepted: bool
    note: str = Field(default="", examples=["现场复核，闭水试验合格"])


# -------------------------------------------------------------------------------------- emergencies


class EmergencyOut(Out):
    """An emergency event (突发环境事件) at a location."""

    emergency_id: str
    title: str
    kind: str
    grade: str | None = Field(description="I (特别重大) .. IV (一般)")
    location: Point | None
    radius_m: float
    town: str
    uscc: str
    description: str
    status: str | None = Field(description=f"One of {', '.join(EMERGENCY_STATUSES)}")
    needs: list[Amount]
    dispatch_ids: list[str]
    declared_at: str | None
    declared_by: ActorOut
    closed_at: str | None
    summary: str


def emergency_out(e: risk_pb2.Emergency) -> EmergencyOut:
    """An Emergency as JSON."""
    return EmergencyOut(
        emergency_id=e.emergency_id,
        title=e.title,
        kind=e.kind,
        grade=word_of(EMERGENCY_GRADES, e.grade),
        location=point_out(e, "location"),
        radius_m=e.radius_m,
        town=e.town,
        uscc=e.uscc,
        description=e.description,
        status=word_of(EMERGENCY_STATUSES, e.status),
        needs=[amount_out(a) for a in e.needs],
        dispatch_ids=list(e.dispatch_ids),
        declared_at=when(e, "declared_at"),
        declared_by=actor_out(e.declared_by),
        closed_at=when(e, "closed_at"),
        summary=e.summary,
    )


class EmergencyPage(Paged):
    """A page of emergencies."""

    emergencies: list[EmergencyOut]


class EmergencyIn(In):
    """An emergency declared at a location; its needs are dispatched from the nearest depots at once."""

    title: str = Field(examples=["宗汉电镀厂含铬废液泄漏"])
    kind: str = Field(
        examples=["chemical_leak"],
        description="chemical_leak, water_pollution, air_pollution, hazardous_waste, radiation, other",
    )
    grade: str = Field(examples=["IV"], description="I (特别重大) .. IV (一般)")
    lat: float = Field(examples=[30.2])
    lon: float = Field(examples=[121.3])
    radius_m: float = Field(default=0, examples=[500])
    uscc: str = ""
    description: str = ""
    needs: list[Amount] = Field(
        default_factory=list, examples=[[{"item_code": "activated_carbon", "value": 500, "unit": "kg"}]]
    )
    max_distance_m: float = Field(default=0, description="Depots farther are not used (0: the default reach)")
    occurred_at: AwareDatetime | None = None


def declare_pb(emergency_in: EmergencyIn, actor: common_pb2.Actor) -> risk_pb2.DeclareEmergencyRequest:
    """The DeclareEmergency request of an emergency posted to the gateway."""
    return risk_pb2.DeclareEmergencyRequest(
        title=emergency_in.title,
        kind=emergency_in.kind,
        grade=number_of("grade", emergency_in.grade, EMERGENCY_GRADES),  # type: ignore[arg-type]
        location=common_pb2.GeoPoint(lat=emergency_in.lat, lon=emergency_in.lon),
        radius_m=emergency_in.radius_m,
        uscc=emergency_in.uscc,
        description=emergency_in.description,
        needs=[amount_pb(a) for a in emergency_in.needs],
        max_distance_m=emergency_in.max_distance_m,
        occurred_at=timestamp("occurred_at", emergency_in.occurred_at),
        actor=actor,
    )


class PlanIn(In):
    """Needs at a location: what a dispatch would take from which depots (nothing is reserved)."""

    lat: float = Field(examples=[30.2])
    lon: float = Field(examples=[121.3])
    needs: list[Amount] = Field(examples=[[{"item_code": "absorbent_boom", "value": 300, "unit": "m"}]])
    max_distance_m: float = 0


class DispatchIn(In):
    """Needs of an emergency to dispatch from the nearest depots that hold them."""

    needs: list[Amount] = Field(examples=[[{"item_code": "activated_carbon", "value": 500, "unit": "kg"}]])
    max_distance_m: float = 0
    reason: str = ""


class CloseIn(In):
    """The summary an emergency closes with."""

    summary: str = Field(examples=["泄漏已封堵，下游断面六价铬恢复达标"])


class DispatchLineOut(Out):
    """Supplies taken from one depot, its distance and estimated arrival."""

    depot_id: str
    depot_name: str
    amount: Amount
    distance_m: float
    eta_minutes: int
    returned: float


def _line_out(line: risk_pb2.DispatchLine) -> DispatchLineOut:
    return DispatchLineOut(
        depot_id=line.depot_id,
        depot_name=line.depot_name,
        amount=amount_out(line.amount),
        distance_m=line.distance_m,
        eta_minutes=line.eta_minutes,
        returned=line.returned.value,
    )


class DispatchPlanOut(Out):
    """What a dispatch would take, nearest depots first, and what no depot in reach holds."""

    lines: list[DispatchLineOut]
    unmet: list[Amount]


def plan_out(plan: risk_pb2.DispatchPlan) -> DispatchPlanOut:
    """A DispatchPlan as JSON."""
    return DispatchPlanOut(
        lines=[_line_out(x) for x in plan.lines], unmet=[amount_out(a) for a in plan.unmet]
    )


class DispatchOrderOut(Out):
    """Supplies sent to an emergency."""

    dispatch_id: str
    emergency_id: str
    lines: list[DispatchLineOut]
    unmet: list[Amount]
    status: str | None = Field(description=f"One of {', '.join(DISPATCH_STATUSES)}")
    dispatched_at: str | None
    delivered_at: str | None
    actor: ActorOut


def order_out(order: risk_pb2.DispatchOrder) -> DispatchOrderOut:
    """A DispatchOrder as JSON."""
    return DispatchOrderOut(
        dispatch_id=order.dispatch_id,
        emergency_id=order.emergency_id,
        lines=[_line_out(x) for x in order.lines],
        unmet=[amount_out(a) for a in order.unmet],
        status=word_of(DISPATCH_STATUSES, order.status),
        dispatched_at=when(order, "dispatched_at"),
        delivered_at=when(order, "delivered_at"),
        actor=actor_out(order.actor),
    )


# ------------------------------------------------------------------------------------------- depots


class StockLineOut(Out):
    """One item's stock at a depot: on hand, reserved by dispatches on the way, and its minimum."""

    item_code: str
    item_name: str
    quantity: float
    unit: str
    reserved: float
    minimum: float
    low: bool
    updated_at: str | None


class DepotOut(Out):
    """A depot of emergency supplies (应急物资库) with its stock."""

    depot_id: str
    name: str
    location: Point | None
    town: str
    department: str
    contact: str
    active: bool
    stock: list[StockLineOut]
    low_items: list[str] = Field(description="Items below their minimum")
    updated_at: str | None


def depot_out(d: risk_pb2.SupplyDepot) -> DepotOut:
    """A SupplyDepot as JSON."""
    stock = [
        StockLineOut(
            item_code=s.amount.item_code,
            item_name=s.amount.item_name,
            quantity=s.amount.quantity.value,
            unit=s.amount.quantity.unit,
            reserved=s.reserved.value,
            minimum=s.minimum.value,
            low=s.low,
            updated_at=when(s, "updated_at"),
        )
        for s in d.stock
    ]
    return DepotOut(
        depot_id=d.depot_id,
        name=d.name,
        location=point_out(d, "location"),
        town=d.town,
        department=d.department,
        contact=d.contact,
        active=d.active,
        stock=stock,
        low_items=[s.item_code for s in stock if s.low],
        updated_at=when(d, "updated_at"),
    )


class DepotPage(Paged):
    """A page of depots."""

    depots: list[DepotOut]


class StockIn(In):
    """Restock (positive delta) or write off (negative), and/or set the item's minimum level."""

    item_code: str = Field(examples=["activated_carbon"])
    delta: float = Field(default=0, examples=[200])
    unit: str = Field(default="", examples=["kg"], description="The item's unit; empty: the item's own")
    minimum: float | None = Field(default=None, description="A new minimum level (omit to keep it)")
    reason: str = Field(default="", examples=["季度补库"])


def stock_pb(depot_id: str, stock_in: StockIn, actor: common_pb2.Actor) -> risk_pb2.AdjustStockRequest:
    """The AdjustStock request of a stock change posted to the gateway."""
    return risk_pb2.AdjustStockRequest(
        depot_id=depot_id,
        item_code=stock_in.item_code,
        delta=common_pb2.Quantity(value=stock_in.delta, unit=stock_in.unit),
        reason=stock_in.reason,
        actor=actor,
        minimum=common_pb2.Quantity(value=stock_in.minimum, unit=stock_in.unit)
        if stock_in.minimum is not None
        else None,
    )


# ---------------------------------------------------------------------------------------- manifests


class ManifestStepOut(Out):
    """One step of a manifest and the quantity weighed there."""

    step: str | None
    quantity_kg: float
    at: str | None
    by: str


class ManifestOut(Out):
    """A hazardous-waste transfer manifest (危险废物转移联单)."""

    manifest_id: str
    producer_uscc: str
    waste_code: str = Field(description="国家危险废物名录 code, e.g. 336-064-17")
    waste_name: str
    receiver: str
    status: str | None = Field(description=f"One of {', '.join(MANIFEST_STATUSES)}")
    steps: list[ManifestStepOut]
    deadline: str | None
    run_id: str
    mismatched: bool
    stuck: bool


def manifest_out(m: risk_pb2.WasteManifest) -> ManifestOut:
    """A WasteManifest as JSON."""
    return ManifestOut(
        manifest_id=m.manifest_id,
        producer_uscc=m.producer_uscc,
        waste_code=m.waste_code,
        waste_name=m.waste_name,
        receiver=m.receiver,
        status=word_of(MANIFEST_STATUSES, m.status),
        steps=[
            ManifestStepOut(
                step=word_of(MANIFEST_STATUSES, s.step), quantity_kg=s.quantity_kg, at=when(s, "at"), by=s.by
            )
            for s in m.steps
        ],
        deadline=when(m, "deadline"),
        run_id=m.run_id,
        mismatched=m.mismatched,
        stuck=m.stuck,
    )


class ManifestPage(Paged):
    """A page of manifests."""

    manifests: list[ManifestOut]


# ------------------------------------------------------------------------------------ enterprise risk


class MediumOut(Out):
    """One medium's grading by HJ 941-2018: level, Q and its band, M, E."""

    level: str | None
    q: float
    q_level: str = Field(examples=["Q2"])
    m_level: str = Field(examples=["M2"])
    e_level: str = Field(examples=["E3"])
    m_score: int


def _medium(m: risk_pb2.MediumRisk) -> MediumOut:
    return MediumOut(
        level=word_of(RISK_LEVELS, m.level),
        q=m.q,
        q_level=m.q_level,
        m_level=m.m_level,
        e_level=m.e_level,
        m_score=m.m_score,
    )


class AssessmentOut(Out):
    """A risk assessment (filed self-assessment or the bureau's review) graded by HJ 941-2018."""

    assessment_id: str
    uscc: str
    level: str | None = Field(description=f"One of {', '.join(RISK_LEVELS)}")
    level_zh: str = Field(examples=["较大"])
    air: MediumOut
    water: MediumOut
    code: str = Field(examples=["较大[较大-大气(Q2-M2-E3)+一般-水(Q1-M1-E2)]"])
    source: str | None
    assessed_on: str | None
    review_by: str | None
    document_ref: str
    recorded_at: str | None


def _day(message: Any, field: str) -> str | None:
    d: common_pb2.Date = getattr(message, field)
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}" if message.HasField(field) and d.year else None


def assessment_out(a: risk_pb2.RiskAssessment) -> AssessmentOut:
    """A RiskAssessment as JSON."""
    level = word_of(RISK_LEVELS, a.level)
    return AssessmentOut(
        assessment_id=a.assessment_id,
        uscc=a.uscc,
        level=level,
        level_zh=LEVEL_CHINESE.get(level or "", ""),
        air=_medium(a.air),
        water=_medium(a.water),
        code=a.code,
        source=word_of(ASSESSMENT_SOURCES, a.source),
        assessed_on=_day(a, "assessed_on"),
        review_by=_day(a, "review_by"),
        document_ref=a.document_ref,
        recorded_at=when(a, "recorded_at"),
    )


class AssessmentPage(Paged):
    """A page of assessments."""

    assessments: list[AssessmentOut]


class AdjustmentOut(Out):
    """Something that raises the level above the assessed one while it lasts."""

    cause: str | None
    steps: int
    source_ref: str
    since: str | None
    reason: str


class ScoreReasonOut(Out):
    """One contribution to the dynamic risk score."""

    signal: str
    source_ref: str
    points: float
    since: str | None
    note: str


class EnterpriseRiskOut(Out):
    """An enterprise's current risk: assessed level, what raised it, the dynamic score and its reasons."""

    uscc: str
    level: str | None = Field(description=f"One of {', '.join(RISK_LEVELS)}")
    level_zh: str = Field(examples=["较大"])
    assessed_level: str | None
    code: str = Field(
        description="The latest assessment's written form (HJ 941-2018)",
        examples=["较大[较大-大气(Q2-M2-E3)+一般-水(Q1-M1-E2)]"],
    )
    adjustments: list[AdjustmentOut]
    latest_assessment_id: str
    open_hazards: int
    overdue_hazards: int
    town: str
    score: float
    score_reasons: list[ScoreReasonOut]
    updated_at: str | None


def enterprise_risk_out(r: risk_pb2.EnterpriseRisk) -> EnterpriseRiskOut:
    """An EnterpriseRisk as JSON."""
    level = word_of(RISK_LEVELS, r.level)
    return EnterpriseRiskOut(
        uscc=r.uscc,
        level=level,
        level_zh=LEVEL_CHINESE.get(level or "", ""),
        assessed_level=word_of(RISK_LEVELS, r.assessed_level),
        code=r.code,
        adjustments=[
            AdjustmentOut(
                cause=word_of(CHANGE_CAUSES, a.cause),
                steps=a.steps,
                source_ref=a.source_ref,
                since=when(a, "since"),
                reason=a.reason,
            )
            for a in r.adjustments
        ],
        latest_assessment_id=r.latest_assessment_id,
        open_hazards=r.open_hazards,
        overdue_hazards=r.overdue_hazards,
        town=r.town,
        score=r.score,
        score_reasons=[
            ScoreReasonOut(
                signal=s.signal, source_ref=s.source_ref, points=s.points, since=when(s, "since"), note=s.note
            )
            for s in r.score_reasons
        ],
        updated_at=when(r, "updated_at"),
    )
