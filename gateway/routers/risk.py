"""Operators' routes for the risk service: hidden hazards, emergencies and their supply dispatch,
supply depots and stock, hazardous-waste manifests, and an enterprise's HJ 941-2018 risk level.

Every rule is the risk service's (gRPC, eco.v1.RiskService): its refusals come back as HTTP with the
same message (gateway.errors). The gateway only translates (gateway.routers.risk_models).
"""

from __future__ import annotations

from typing import Annotated, Any

import grpc
from fastapi import APIRouter, Depends, Query, Request, status

from eco.v1 import common_pb2, risk_pb2, risk_pb2_grpc
from gateway import operators
from gateway.clients import clients_of
from gateway.errors import API_ERRORS
from gateway.inputs import timestamp
from gateway.routers import risk_models as rm

router = APIRouter(prefix="/api/v1", tags=["risk"], responses=API_ERRORS)
CALL_TIMEOUT = 10.0
# The enterprise record waits this long for its risk section before showing the rest without it.
RECORD_SECTION_TIMEOUT = 3.0

# Finding a hazard is an inspector's job as much as an officer's; moving a deadline, closing a hazard,
# declaring an emergency and moving stock are the bureau's decisions.
HAZARD_REPORTERS = ("admin", "dispatcher", "inspector", "grid_commissioner")
RECTIFICATION_REPORTERS = ("admin", "dispatcher", "inspector", "grid_commissioner")
BUREAU = ("admin", "dispatcher")
VERIFIERS = ("admin", "dispatcher", "inspector")

Reader = Annotated[operators.Operator, Depends(operators.require(*operators.RECORD_READERS))]
Reporter = Annotated[operators.Operator, Depends(operators.require(*HAZARD_REPORTERS))]
RectificationReporter = Annotated[operators.Operator, Depends(operators.require(*RECTIFICATION_REPORTERS))]
Verifier = Annotated[operators.Operator, Depends(operators.require(*VERIFIERS))]
Bureau = Annotated[operators.Operator, Depends(operators.require(*BUREAU))]

PageSize = Annotated[int, Query(ge=1, le=500, description="At most 500")]


def _risk(request: Request) -> tuple[risk_pb2_grpc.RiskServiceStub, dict[str, Any]]:
    """The risk service's stub and the keyword arguments of a call on the gateway's behalf."""
    clients = clients_of(request.app.state)
    return clients.risk, {"metadata": clients.metadata(), "timeout": CALL_TIMEOUT}


def _actor(operator: operators.Operator, reason: str = "") -> common_pb2.Actor:
    # The department is the gateway's (the service takes it from the call's credentials).
    return common_pb2.Actor(user=operator.username, reason=reason)


def _page(page_size: int, page_token: str) -> common_pb2.PageRequest:
    return common_pb2.PageRequest(page_size=page_size, page_token=page_token)


# ------------------------------------------------------------------------------------------ hazards


@router.get("/hazards", response_model=rm.HazardPage)
def list_hazards(
    request: Request,
    _: Reader,
    uscc: str = "",
    status_: Annotated[
        list[str] | None, Query(alias="status", description=f"Any of {', '.join(rm.HAZARD_STATUSES)}")
    ] = None,
    grade: str = Query("", description=f"One of {', '.join(rm.HAZARD_GRADES)}"),
    town: str = "",
    overdue_only: bool = False,
    page_size: PageSize = 50,
    page_token: str = "",
) -> rm.HazardPage:
    """Hidden hazards by enterprise, status, grade and town (or only the overdue), a page at a time."""
    message = risk_pb2.ListHazardsRequest(
        uscc=uscc,
        statuses=rm.numbers_of("status", status_, rm.HAZARD_STATUSES),
        grade=rm.number_of("grade", grade, rm.HAZARD_GRADES) if grade else 0,  # type: ignore[arg-type]
        town=town,
        overdue_only=overdue_only,
        page=_page(page_size, page_token),
    )
    stub, call = _risk(request)
    reply: risk_pb2.ListHazardsResponse = stub.ListHazards(message, **call)
    return rm.HazardPage(
        hazards=[rm.hazard_out(h) for h in reply.hazards],
        next_page_token=reply.page.next_page_token,
        total=reply.page.total,
    )


@router.get("/hazards/{hazard_id}", response_model=rm.HazardOut)
def get_hazard(hazard_id: str, request: Request, _: Reader) -> rm.HazardOut:
    """One hazard with its rectification and deadline history."""
    stub, call = _risk(request)
    return rm.hazard_out(stub.GetHazard(risk_pb2.GetHazardRequest(hazard_id=hazard_id), **call))


@router.post("/hazards", response_model=rm.HazardOut, status_code=status.HTTP_201_CREATED)
def report_hazard(hazard_in: rm.HazardIn, request: Request, operator: Reporter) -> rm.HazardOut:
    """Record a hazard found at an enterprise, with its rectification deadline."""
    stub, call = _risk(request)
    return rm.hazard_out(stub.ReportHazard(rm.report_pb(hazard_in, _actor(operator)), **call))


@router.post("/hazards/{hazard_id}/extend", response_model=rm.HazardOut)
def extend_hazard(hazard_id: str, body: rm.ExtendIn, request: Request, operator: Bureau) -> rm.HazardOut:
    """Move an open hazard's deadline later, once, with a reason (kept in its history)."""
    message = risk_pb2.ExtendHazardDeadlineRequest(
        hazard_id=hazard_id,
        rectify_by=timestamp("rectify_by", body.rectify_by),
        reason=body.reason,
        actor=_actor(operator, body.reason),
    )
    stub, call = _risk(request)
    return rm.hazard_out(stub.ExtendHazardDeadline(message, **call))


@router.post("/hazards/{hazard_id}/rectification", response_model=rm.HazardOut)
def record_rectification(
    hazard_id: str, body: rm.RectificationIn, request: Request, operator: RectificationReporter
) -> rm.HazardOut:
    """Report the hazard rectified, with evidence; it then waits for an officer's check."""
    message = risk_pb2.RecordHazardRectificationRequest(
        hazard_id=hazard_id,
        measures=body.measures,
        evidence_refs=body.evidence_refs,
        completed_at=timestamp("completed_at", body.completed_at),
        actor=_actor(operator),
    )
    stub, call = _risk(request)
    return rm.hazard_out(stub.RecordHazardRectification(message, **call))


@router.post("/hazards/{hazard_id}/verification", response_model=rm.HazardOut)
def verify_rectification(
    hazard_id: str, body: rm.VerificationIn, request: Request, operator: Verifier
) -> rm.HazardOut:
    """Accept the reported rectification (the hazard closes) or reject it (it reopens)."""
    message = risk_pb2.VerifyHazardRectificationRequest(
        hazard_id=hazard_id, accepted=body.accepted, note=body.note, actor=_actor(operator, body.note)
    )
    stub, call = _risk(request)
    return rm.hazard_out(stub.VerifyHazardRectification(message, **call))


# -------------------------------------------------------------------------------------- emergencies


@router.get("/emergencies", response_model=rm.EmergencyPage)
def list_emergencies(
    request: Request,
    _: Reader,
    status_: Annotated[
        list[str] | None, Query(alias="status", description=f"Any of {', '.join(rm.EMERGENCY_STATUSES)}")
    ] = None,
    town: str = "",
    uscc: str = "",
    page_size: PageSize = 50,
    page_token: str = "",
) -> rm.EmergencyPage:
    """Emergencies by status, town and enterprise, a page at a time."""
    message = risk_pb2.ListEmergenciesRequest(
        statuses=rm.numbers_of("status", status_, rm.EMERGENCY_STATUSES),
        town=town,
        uscc=uscc,
        page=_page(page_size, page_token),
    )
    stub, call = _risk(request)
    reply: risk_pb2.ListEmergenciesResponse = stub.ListEmergencies(message, **call)
    return rm.EmergencyPage(
        emergencies=[rm.emergency_out(e) for e in reply.emergencies],
        next_page_token=reply.page.next_page_token,
        total=reply.page.total,
    )


@router.get("/emergencies/{emergency_id}", response_model=rm.EmergencyOut)
def get_emergency(emergency_id: str, request: Request, _: Reader) -> rm.EmergencyOut:
    """One emergency with its needs and dispatches."""
    stub, call = _risk(request)
    return rm.emergency_out(
        stub.GetEmergency(risk_pb2.GetEmergencyRequest(emergency_id=emergency_id), **call)
    )


@router.post("/emergencies", response_model=rm.EmergencyOut, status_code=status.HTTP_201_CREATED)
def declare_emergency(emergency_in: rm.EmergencyIn, request: Request, operator: Bureau) -> rm.EmergencyOut:
    """Declare an emergency at a location; its needs are dispatched from the nearest depots at once."""
    stub, call = _risk(request)
    return rm.emergency_out(stub.DeclareEmergency(rm.declare_pb(emergency_in, _actor(operator)), **call))


@router.post("/dispatch/plan", response_model=rm.DispatchPlanOut)
def plan_dispatch(body: rm.PlanIn, request: Request, _: Bureau) -> rm.DispatchPlanOut:
    """What a dispatch of these needs to this place would take from which depots (reserves nothing)."""
    message = risk_pb2.PlanDispatchRequest(
        location=common_pb2.GeoPoint(lat=body.lat, lon=body.lon),
        needs=[rm.amount_pb(a) for a in body.needs],
        max_distance_m=body.max_distance_m,
    )
    stub, call = _risk(request)
    return rm.plan_out(stub.PlanDispatch(message, **call))


@router.post(
    "/emergencies/{emergency_id}/dispatches",
    response_model=rm.DispatchOrderOut,
    status_code=status.HTTP_201_CREATED,
)
def dispatch_supplies(
    emergency_id: str, body: rm.DispatchIn, request: Request, operator: Bureau
) -> rm.DispatchOrderOut:
    """Dispatch supplies from the nearest depots holding them; stock is reserved at once, never below zero."""
    message = risk_pb2.DispatchSuppliesRequest(
        emergency_id=emergency_id,
        needs=[rm.amount_pb(a) for a in body.needs],
        max_distance_m=body.max_distance_m,
        actor=_actor(operator, body.reason),
    )
    stub, call = _risk(request)
    return rm.order_out(stub.DispatchSupplies(message, **call))


@router.post("/emergencies/{emergency_id}/close", response_model=rm.EmergencyOut)
def close_emergency(
    emergency_id: str, body: rm.CloseIn, request: Request, operator: Bureau
) -> rm.EmergencyOut:
    """Close an emergency with its summary."""
    message = risk_pb2.CloseEmergencyRequest(
        emergency_id=emergency_id, summary=body.summary, actor=_actor(operator, body.summary)
    )
    stub, call = _risk(request)
    return rm.emergency_out(stub.CloseEmergency(message, **call))


# ------------------------------------------------------------------------------------------- depots


@router.get("/depots", response_model=rm.DepotPage)
def list_depots(
    request: Request,
    _: Reader,
    town: str = "",
    item_code: str = Query("", description="Only depots holding this item"),
    near_lat: float | None = Query(None, description="With near_lon: nearest depots first"),
    near_lon: float | None = None,
    page_size: PageSize = 50,
    page_token: str = "",
) -> rm.DepotPage:
    """Supply depots by town and item (nearest first from a point), a page at a time."""
    message = risk_pb2.ListDepotsRequest(
        town=town, item_code=item_code, near=rm.geo(near_lat, near_lon), page=_page(page_size, page_token)
    )
    stub, call = _risk(request)
    reply: risk_pb2.ListDepotsResponse = stub.ListDepots(message, **call)
    return rm.DepotPage(
        depots=[rm.depot_out(d) for d in reply.depots],
        next_page_token=reply.page.next_page_token,
        total=reply.page.total,
    )


@router.get("/depots/{depot_id}", response_model=rm.DepotOut)
def get_depot(depot_id: str, request: Request, _: Reader) -> rm.DepotOut:
    """One depot with its stock per item (on hand, reserved, minimum, low)."""
    stub, call = _risk(request)
    return rm.depot_out(stub.GetDepot(risk_pb2.GetDepotRequest(depot_id=depot_id), **call))


@router.post("/depots/{depot_id}/stock", response_model=rm.DepotOut)
def adjust_stock(depot_id: str, body: rm.StockIn, request: Request, operator: Bureau) -> rm.DepotOut:
    """Restock (positive delta) or write off (negative), and/or set a minimum; 409 below zero."""
    stub, call = _risk(request)
    return rm.depot_out(stub.AdjustStock(rm.stock_pb(depot_id, body, _actor(operator, body.reason)), **call))


# ---------------------------------------------------------------------------------------- manifests


@router.get("/manifests", response_model=rm.ManifestPage)
def list_manifests(
    request: Request,
    _: Reader,
    producer_uscc: str = "",
    run_id: str = Query("", description="A small-producer collection run"),
    status_: Annotated[
        list[str] | None, Query(alias="status", description=f"Any of {', '.join(rm.MANIFEST_STATUSES)}")
    ] = None,
    page_size: PageSize = 50,
    page_token: str = "",
) -> rm.ManifestPage:
    """Hazardous-waste transfer manifests by producer, collection run and status, a page at a time."""
    message = risk_pb2.ListManifestsRequest(
        producer_uscc=producer_uscc,
        run_id=run_id,
        statuses=rm.numbers_of("status", status_, rm.MANIFEST_STATUSES),
        page=_page(page_size, page_token),
    )
    stub, call = _risk(request)
    reply: risk_pb2.ListManifestsResponse = stub.ListManifests(message, **call)
    return rm.ManifestPage(
        manifests=[rm.manifest_out(m) for m in reply.manifests],
        next_page_token=reply.page.next_page_token,
        total=reply.page.total,
    )


@router.get("/manifests/{manifest_id}", response_model=rm.ManifestOut)
def get_manifest(manifest_id: str, request: Request, _: Reader) -> rm.ManifestOut:
    """One manifest with the quantity weighed at each step."""
    stub, call = _risk(request)
    return rm.manifest_out(stub.GetManifest(risk_pb2.GetManifestRequest(manifest_id=manifest_id), **call))


# ------------------------------------------------------------------------------------ enterprise risk


@router.get("/enterprises/{uscc}/risk", response_model=rm.EnterpriseRiskOut)
def get_enterprise_risk(uscc: str, request: Request, _: Reader) -> rm.EnterpriseRiskOut:
    """The enterprise's risk level (HJ 941-2018, raised by what happened since), its form and score."""
    stub, call = _risk(request)
    return rm.enterprise_risk_out(
        stub.GetEnterpriseRisk(risk_pb2.GetEnterpriseRiskRequest(uscc=uscc), **call)
    )


@router.get("/enterprises/{uscc}/risk/assessments", response_model=rm.AssessmentPage)
def list_assessments(
    uscc: str, request: Request, _: Reader, page_size: PageSize = 50, page_token: str = ""
) -> rm.AssessmentPage:
    """The enterprise's risk assessments, each with its Q, M, E per medium and its written form."""
    message = risk_pb2.ListAssessmentsRequest(uscc=uscc, page=_page(page_size, page_token))
    stub, call = _risk(request)
    reply: risk_pb2.ListAssessmentsResponse = stub.ListAssessments(message, **call)
    return rm.AssessmentPage(
        assessments=[rm.assessment_out(a) for a in reply.assessments],
        next_page_token=reply.page.next_page_token,
        total=reply.page.total,
    )


def record_section(request: Request, uscc: str) -> tuple[dict[str, Any] | None, list[str]]:
    """The enterprise record's risk section (level, its form, hazards) and the warnings to show with it.

    Not assessed yet: None and no warning. The risk service down or slow: None and a warning naming
    what is missing, within RECORD_SECTION_TIMEOUT, so the record is partial, never a 500 or a hang."""
    clients = clients_of(request.app.state)
    try:
        risk = clients.risk.GetEnterpriseRisk(
            risk_pb2.GetEnterpriseRiskRequest(uscc=uscc),
            metadata=clients.metadata(),
            timeout=RECORD_SECTION_TIMEOUT,
        )
    except grpc.RpcError as exc:
        code = exc.code()  # type: ignore[attr-defined]
        if code == grpc.StatusCode.NOT_FOUND:
            return None, []
        details = exc.details() or code.name  # type: ignore[attr-defined]
        missing = "risk: the risk level and its form are missing"
        return None, [f"{missing}: the risk service answered {code.name} ({details})"]
    out = rm.enterprise_risk_out(risk)
    section = {
        "level": out.level,
        "level_zh": out.level_zh,
        "assessed_level": out.assessed_level,
        "code": out.code,
        "score": out.score,
        "open_hazards": out.open_hazards,
        "overdue_hazards": out.overdue_hazards,
        "updated_at": out.updated_at,
    }
    return section, []
