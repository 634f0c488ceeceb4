"""Risk's one translation module: domain values as protobuf messages, for gRPC replies and event
payloads alike (the service layer and domain never import generated code)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from google.protobuf.message import Message

from eco.v1 import common_pb2, risk_pb2
from services.risk.domain import events as ev
from services.risk.domain.classification import Classification, MediumResult
from services.risk.domain.dispatch import Plan
from services.risk.domain.emergencies import Emergency, EmergencyStatus
from services.risk.domain.hazards import Hazard, HazardGrade, HazardSource, HazardStatus
from services.risk.domain.manifests import Manifest, ManifestStep, RunReconciliation
from services.risk.domain.notifications import Notification, NotificationKind
from services.risk.domain.radioactive import DisposalRate, DisusedSource
from services.risk.domain.records import (
    Assessment,
    AssessmentSource,
    Depot,
    DispatchOrder,
    DispatchStatus,
    EnterpriseRisk,
    StockLine,
)
from services.risk.domain.score import Cause
from services.risk.domain.supplies import CATALOGUE, Amount
from services.risk.domain.values import Actor, GeoPoint, RiskLevel
from shared.proto_values import date_pb, timestamp

RISK_LEVEL = {level: getattr(risk_pb2, f"RISK_LEVEL_{level.name}") for level in RiskLevel}
ASSESSMENT_SOURCE = {s: getattr(risk_pb2, f"ASSESSMENT_SOURCE_{s.name}") for s in AssessmentSource}
HAZARD_GRADE = {g: getattr(risk_pb2, f"HAZARD_GRADE_{g.name}") for g in HazardGrade}
HAZARD_SOURCE = {s: getattr(risk_pb2, f"HAZARD_SOURCE_{s.name}") for s in HazardSource}
HAZARD_STATUS = {s: getattr(risk_pb2, f"HAZARD_STATUS_{s.name}") for s in HazardStatus}
EMERGENCY_STATUS = {s: getattr(risk_pb2, f"EMERGENCY_STATUS_{s.name}") for s in EmergencyStatus}
DISPATCH_STATUS = {s: getattr(risk_pb2, f"DISPATCH_STATUS_{s.name}") for s in DispatchStatus}
MANIFEST_STATUS = {s: getattr(risk_pb2, f"MANIFEST_STATUS_{s.name}") for s in ManifestStep}
NOTIFICATION_KIND = {k: getattr(risk_pb2, f"EMERGENCY_NOTIFICATION_KIND_{k.name}") for k in NotificationKind}
CHANGE_CAUSE = {c: getattr(risk_pb2, f"RISK_CHANGE_CAUSE_{c.name}") for c in ev.ChangeCause}
GRADE = {1: risk_pb2.EMERGENCY_GRADE_I, 2: risk_pb2.EMERGENCY_GRADE_II, 3: risk_pb2.EMERGENCY_GRADE_III}
GRADE[4] = risk_pb2.EMERGENCY_GRADE_IV
ADJUSTMENT_CAUSE = {
    Cause.HAZARD_OVERDUE: risk_pb2.RISK_CHANGE_CAUSE_HAZARD_OVERDUE,
    Cause.PENALTY: risk_pb2.RISK_CHANGE_CAUSE_PENALTY,
}


def geo(point: GeoPoint | None) -> common_pb2.GeoPoint | None:
    """A protobuf GeoPoint (None stays unset)."""
    return common_pb2.GeoPoint(lat=point.lat, lon=point.lon) if point else None


def actor(a: Actor | None) -> common_pb2.Actor | None:
    """A protobuf Actor."""
    return common_pb2.Actor(department=a.department, user=a.user, reason=a.reason) if a else None


def level(value: RiskLevel | None) -> risk_pb2.RiskLevel:
    """A RiskLevel enum value (UNSPECIFIED for none)."""
    return RISK_LEVEL[value] if value else risk_pb2.RISK_LEVEL_UNSPECIFIED


def amount(a: Amount) -> risk_pb2.SupplyAmount:
    """A supply amount in its item's unit."""
    item = CATALOGUE[a.item_code]
    return risk_pb2.SupplyAmount(
        item_code=item.code,
        item_name=item.name,
        quantity=common_pb2.Quantity(value=a.quantity, unit=item.unit),
    )


def _quantity(item_code: str, value: float) -> common_pb2.Quantity:
    return common_pb2.Quantity(value=value, unit=CATALOGUE[item_code].unit)


# ---------------------------------------------------------------------------------- assessments
def medium(m: MediumResult) -> risk_pb2.MediumRisk:
    """One medium's grading."""
    return risk_pb2.MediumRisk(
        level=level(m.level),
        q=float(m.q),
        q_level=m.q_code,
        m_level=m.m_code,
        e_level=m.e_code,
        m_score=m.m_score or 0,
    )


def inputs(a: Assessment) -> risk_pb2.AssessmentInputs:
    """What an assessment was graded from."""
    i = a.inputs

    def pc(p: Any) -> risk_pb2.ProcessAndControls:
        return risk_pb2.ProcessAndControls(
            listed_process_units=p.listed_process_units,
            other_hazardous_process_units=p.other_hazardous_process_units,
            obsolete_process_units=p.obsolete_process_units,
            control_shortfall_points=p.control_shortfall_points,
            incidents_3y=p.incidents_3y,
        )

    return risk_pb2.AssessmentInputs(
        substances=[
            risk_pb2.SubstanceHolding(substance=k, tonnes=v) for k, v in sorted(i.holdings_t.items())
        ],
        air_process=pc(i.air_process),
        water_process=pc(i.water_process),
        population_within_5km=i.air_receptors.population_within_5km,
        population_within_500m=i.air_receptors.population_within_500m,
        restricted_area_within_5km=i.air_receptors.restricted_area_within_5km,
        water_receptor=i.water_receptor.value,
        penalised_within_3_years=i.penalised_within_3_years,
    )


def assessment(a: Assessment) -> risk_pb2.RiskAssessment:
    """One graded assessment."""
    c: Classification = a.classification
    return risk_pb2.RiskAssessment(
        assessment_id=a.assessment_id,
        uscc=a.uscc,
        level=level(c.level),
        air=medium(c.air),
        water=medium(c.water),
        code=c.code,
        source=ASSESSMENT_SOURCE[a.source],
        assessed_on=date_pb(a.assessed_on),
        review_by=date_pb(a.review_by),
        document_ref=a.document_ref,
        assessor=actor(a.assessor),
        recorded_at=timestamp(a.recorded_at),
        inputs=inputs(a),
    )


def enterprise_risk(r: EnterpriseRisk) -> risk_pb2.EnterpriseRisk:
    """An enterprise's current risk with its adjustments and score reasons."""
    return risk_pb2.EnterpriseRisk(
        uscc=r.uscc,
        level=level(r.level),
        assessed_level=level(r.assessed_level),
        adjustments=[
            risk_pb2.RiskAdjustment(
                cause=ADJUSTMENT_CAUSE[a.cause],
                steps=1,
                source_ref=a.source_ref,
                since=timestamp(a.since),
                reason=a.reason,
            )
            for a in r.adjustments
        ],
        latest_assessment_id=r.latest_assessment_id,
        open_hazards=r.open_hazards,
        overdue_hazards=r.overdue_hazards,
        town=r.town,
        updated_at=timestamp(r.updated_at),
        score=r.score.value,
        score_reasons=[
            risk_pb2.RiskScoreReason(
                signal=reason.signal.value if reason.signal else "assessed_level",
                source_ref=reason.ref,
                points=reason.points,
                since=timestamp(reason.since),
                note=reason.note,
            )
            for reason in r.score.reasons
        ],
        code=r.code,
    )


# ------------------------------------------------------------------------------------- hazards
def hazard(h: Hazard) -> risk_pb2.Hazard:
    """One hazard with its rectification and deadline history."""
    r = h.rectification
    return risk_pb2.Hazard(
        hazard_id=h.hazard_id,
        uscc=h.uscc,
        title=h.title,
        description=h.description,
        grade=HAZARD_GRADE[h.grade],
        source=HAZARD_SOURCE[h.source],
        location=geo(h.location),
        town=h.town,
        found_at=timestamp(h.found_at),
        found_by=actor(h.found_by),
        rectify_by=timestamp(h.rectify_by),
        required_measures=h.required_measures,
        status=HAZARD_STATUS[h.status],
        overdue=h.overdue,
        overdue_since=timestamp(h.overdue_since),
        rectification=None
        if r is None
        else risk_pb2.HazardRectification(
            measures=r.measures,
            evidence_refs=list(r.evidence_refs),
            completed_at=timestamp(r.completed_at),
            reported_by=actor(r.reported_by),
            accepted=bool(r.accepted),
            check_note=r.check_note,
            checked_by=actor(r.checked_by),
            checked_at=timestamp(r.checked_at),
        ),
        deadline_changes=[
            risk_pb2.HazardDeadlineChange(
                previous=timestamp(c.previous),
                deadline=timestamp(c.deadline),
                reason=c.reason,
                actor=actor(c.actor),
                at=timestamp(c.at),
            )
            for c in h.deadline_changes
        ],
        closed_at=timestamp(h.closed_at),
    )


# ---------------------------------------------------------------------- emergencies and supplies
def emergency(e: Emergency) -> risk_pb2.Emergency:
    """One emergency."""
    return risk_pb2.Emergency(
        emergency_id=e.emergency_id,
        title=e.title,
        kind=e.kind,
        grade=GRADE[e.grade],
        location=geo(e.location),
        radius_m=e.radius_m,
        town=e.town,
        uscc=e.uscc,
        description=e.description,
        status=EMERGENCY_STATUS[e.status],
        needs=[amount(a) for a in e.needs],
        dispatch_ids=list(e.dispatch_ids),
        declared_at=timestamp(e.declared_at),
        declared_by=actor(e.declared_by),
        closed_at=timestamp(e.closed_at),
        summary=e.summary,
    )


def stock_line(line: StockLine) -> risk_pb2.StockLine:
    """One item's stock at a depot."""
    return risk_pb2.StockLine(
        amount=amount(Amount(line.item_code, line.quantity)),
        updated_at=timestamp(line.updated_at),
        minimum=_quantity(line.item_code, line.minimum),
        low=line.low,
        reserved=_quantity(line.item_code, line.reserved),
    )


def depot(d: Depot) -> risk_pb2.SupplyDepot:
    """A depot with its stock."""
    return risk_pb2.SupplyDepot(
        depot_id=d.depot_id,
        name=d.name,
        location=geo(d.location),
        town=d.town,
        department=d.department,
        contact=d.contact,
        stock=[stock_line(s) for s in d.stock],
        active=d.active,
        updated_at=timestamp(d.updated_at),
    )


def plan(p: Plan) -> risk_pb2.DispatchPlan:
    """A dispatch preview."""
    return risk_pb2.DispatchPlan(
        lines=[
            risk_pb2.DispatchLine(
                depot_id=ln.depot_id,
                depot_name=ln.depot_name,
                amount=amount(Amount(ln.item_code, ln.quantity)),
                distance_m=ln.distance_m,
                eta_minutes=ln.eta_minutes,
            )
            for ln in p.lines
        ],
        unmet=[amount(a) for a in p.unmet],
    )


def order(o: DispatchOrder) -> risk_pb2.DispatchOrder:
    """A dispatch order."""
    return risk_pb2.DispatchOrder(
        dispatch_id=o.dispatch_id,
        emergency_id=o.emergency_id,
        lines=[
            risk_pb2.DispatchLine(
                depot_id=ln.depot_id,
                depot_name=ln.depot_name,
                amount=amount(Amount(ln.item_code, ln.quantity)),
                distance_m=ln.distance_m,
                returned=_quantity(ln.item_code, ln.returned),
                eta_minutes=ln.eta_minutes,
            )
            for ln in o.lines
        ],
        unmet=[amount(a) for a in o.unmet],
        status=DISPATCH_STATUS[o.status],
        dispatched_at=timestamp(o.dispatched_at),
        delivered_at=timestamp(o.delivered_at),
        actor=actor(o.actor),
    )


def notification(n: Notification) -> risk_pb2.EmergencyNotification:
    """One emergency notification."""
    return risk_pb2.EmergencyNotification(
        position=n.position,
        kind=NOTIFICATION_KIND[n.kind],
        emergency_id=n.emergency_id,
        title=n.title,
        grade=GRADE[n.grade],
        status=EMERGENCY_STATUS[n.status],
        location=geo(n.location),
        town=n.town,
        uscc=n.uscc,
        text=n.text,
        at=timestamp(n.at),
    )


# ---------------------------------------------------------------------- manifests and sources
def manifest(m: Manifest) -> risk_pb2.WasteManifest:
    """A transfer manifest."""
    return risk_pb2.WasteManifest(
        manifest_id=m.manifest_id,
        producer_uscc=m.producer_uscc,
        waste_code=m.waste_code,
        waste_name=m.waste_name,
        receiver=m.receiver,
        status=MANIFEST_STATUS[m.status],
        steps=[
            risk_pb2.ManifestStepRecord(
                step=MANIFEST_STATUS[s.step], quantity_kg=s.quantity_kg, at=timestamp(s.at), by=s.by
            )
            for s in m.steps
        ],
        deadline=timestamp(m.deadline),
        run_id=m.run_id,
        mismatched=bool(m.mismatch_announced),
        stuck=m.stuck_announced,
    )


def reconciliation(r: RunReconciliation) -> risk_pb2.CollectionRunReconciliation:
    """A collection run reconciled per producer."""
    return risk_pb2.CollectionRunReconciliation(
        run_id=r.run_id,
        producers=[
            risk_pb2.ProducerReconciliation(
                producer_uscc=ln.producer_uscc,
                manifest_id=ln.manifest_id,
                declared_kg=ln.declared_kg,
                collected_kg=ln.collected_kg or 0.0,
                received_kg=ln.received_kg or 0.0,
                collected=ln.collected_kg is not None,
                received=ln.received_kg is not None,
                within_tolerance=ln.within_tolerance,
            )
            for ln in r.lines
        ],
        declared_kg=r.declared_kg,
        received_kg=r.received_kg,
        mismatched_producers=list(r.mismatched),
    )


def source(s: DisusedSource) -> risk_pb2.DisusedSource:
    """A disused source and its disposal."""
    return risk_pb2.DisusedSource(
        source_id=s.source_id,
        uscc=s.uscc,
        kind=s.kind.value,
        nuclide=s.nuclide,
        category=s.category,
        serial=s.serial,
        disused_on=date_pb(s.disused_on),
        dispose_by=date_pb(s.dispose_by),
        disposed_on=date_pb(s.disposed_on),
        route=s.route.value if s.route else "",
        receiver=s.receiver,
        certificate_ref=s.certificate_ref,
    )


def disposal_rate(r: DisposalRate) -> risk_pb2.SafeDisposalRate:
    """The safe-disposal rate at a date."""
    return risk_pb2.SafeDisposalRate(
        on=date_pb(r.on), disused=r.disused, disposed=r.disposed, rate=r.rate, overdue=r.overdue
    )


# ------------------------------------------------------------------------------ event payloads
_EVENTS: dict[type, Callable[[Any], Message]] = {
    ev.RiskAssessed: lambda e: risk_pb2.RiskAssessed(assessment=assessment(e.assessment)),
    ev.RiskLevelChanged: lambda e: risk_pb2.RiskLevelChanged(
        uscc=e.uscc,
        previous_level=level(e.previous),
        level=level(e.level),
        cause=CHANGE_CAUSE[e.cause],
        source_ref=e.source_ref,
        town=e.town,
    ),
    ev.HazardReported: lambda e: risk_pb2.HazardReported(hazard=hazard(e.hazard)),
    ev.HazardOverdue: lambda e: risk_pb2.HazardOverdue(
        hazard_id=e.hazard.hazard_id,
        uscc=e.hazard.uscc,
        title=e.hazard.title,
        grade=HAZARD_GRADE[e.hazard.grade],
        rectify_by=timestamp(e.hazard.rectify_by),
        location=geo(e.hazard.location),
        town=e.hazard.town,
    ),
    ev.HazardUpdated: lambda e: risk_pb2.HazardUpdated(
        hazard=hazard(e.hazard), previous_status=HAZARD_STATUS[e.previous_status]
    ),
    ev.HazardClosed: lambda e: risk_pb2.HazardClosed(
        hazard=hazard(e.hazard), was_overdue=e.hazard.lapsed_deadline is not None
    ),
    ev.EmergencyDeclared: lambda e: risk_pb2.EmergencyDeclared(emergency=emergency(e.emergency)),
    ev.EmergencyRegraded: lambda e: risk_pb2.EmergencyRegraded(
        emergency_id=e.emergency.emergency_id,
        uscc=e.emergency.uscc,
        previous_grade=GRADE[e.previous_grade],
        grade=GRADE[e.emergency.grade],
        reason=e.reason,
    ),
    ev.EmergencyClosed: lambda e: risk_pb2.EmergencyClosed(emergency=emergency(e.emergency)),
    ev.SuppliesDispatched: lambda e: risk_pb2.SuppliesDispatched(
        order=order(e.order), emergency_location=geo(e.emergency.location), uscc=e.emergency.uscc
    ),
    ev.SupplyShortage: lambda e: risk_pb2.SupplyShortage(
        emergency_id=e.emergency_id, dispatch_id=e.dispatch_id, unmet=[amount(a) for a in e.unmet]
    ),
    ev.DispatchUpdated: lambda e: risk_pb2.DispatchUpdated(
        order=order(e.order), previous_status=DISPATCH_STATUS[e.previous_status]
    ),
    ev.DepotChanged: lambda e: risk_pb2.DepotChanged(depot=depot(e.depot)),
    ev.StockChanged: lambda e: risk_pb2.StockChanged(
        depot_id=e.depot_id,
        item_code=e.item_code,
        previous=_quantity(e.item_code, e.previous),
        quantity=_quantity(e.item_code, e.quantity),
        reason=e.reason,
        dispatch_id=e.dispatch_id,
    ),
    ev.StockLow: lambda e: risk_pb2.StockLow(
        depot_id=e.depot.depot_id,
        depot_name=e.depot.name,
        town=e.depot.town,
        amount=amount(Amount(e.line.item_code, e.line.quantity)),
        minimum=_quantity(e.line.item_code, e.line.minimum),
    ),
    ev.ManifestChanged: lambda e: risk_pb2.ManifestChanged(manifest=manifest(e.manifest)),
    ev.ManifestMismatched: lambda e: risk_pb2.ManifestMismatch(
        manifest=manifest(e.manifest),
        step=MANIFEST_STATUS[e.mismatch.step],
        expected_kg=e.mismatch.expected_kg,
        actual_kg=e.mismatch.actual_kg,
    ),
    ev.ManifestStuck: lambda e: risk_pb2.ManifestStuck(manifest=manifest(e.manifest)),
    ev.DisusedSourceChanged: lambda e: risk_pb2.DisusedSourceChanged(source=source(e.source)),
}


def event_message(event: object) -> Message:
    """The protobuf payload of a domain event (Deps.translate)."""
    build = _EVENTS.get(type(event))
    if build is None:
        raise TypeError(f"no payload for {type(event).__name__}")
    return build(event)
