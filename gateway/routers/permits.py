"""Permits for operators: pollutant-discharge permits and their lifecycle, EIA approvals, radiation
safety permits and the discharge-rights ledger. Every rule (the permit state machine, EIA time
limits, the rights cap) is the permits service's; its errors come back as HTTP with the same
message, and while it is down these routes answer 503. A change names the operator who made it and
their reason (the service keeps them as the record's last action, or on the ledger entry).

Operators apply for permits and take them through their lifecycle, record accepted EIA
applications and decide them, issue and renew radiation permits, and keep the rights ledger (cap,
allocations, transfers, returns). Bodies and answers: gateway.routers.permit_models.

A grid commissioner reads the permits of enterprises in their area (/api/v1/enterprises/{uscc}/...);
the city-wide lists are for city-wide roles (gateway.roles)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from eco.v1 import common_pb2, permits_pb2
from gateway import operators
from gateway.calls import call, enum_value
from gateway.contract import page_of
from gateway.errors import API_ERRORS
from gateway.proto_json import to_json
from gateway.routers import permit_models as pm
from gateway.routers.permit_models import (
    EIA_STATUSES,
    PERMIT_STATUSES,
    RADIATION_STATUSES,
    ActionIn,
    PermitsOut,
)

router = APIRouter(prefix="/api/v1", tags=["permits"], responses=API_ERRORS)
# Who may call each route, and a grid commissioner's area: gateway.roles (tag "permits").
Reader = Annotated[operators.Operator, Depends(operators.require())]
Officer = Annotated[operators.Operator, Depends(operators.require())]
PAGE_SIZE = Query(50, ge=1, le=500)
DEPARTMENT = "bureau"
DAY = pm.DAY
CREATED = 201  # what a route answers when its call recorded something new (an application, an entry)
Pollutant = Annotated[
    str,
    Path(
        description="A ledger pollutant (lower case accepted)",
        examples=["COD"],
        json_schema_extra={"enum": pm.RIGHTS_POLLUTANTS},
    ),
]


def _day_query(description: str, **kwargs: Any) -> Any:
    return Query(description=description, json_schema_extra={"format": "date"}, **kwargs)


def _actor(operator: operators.Operator, reason: str) -> common_pb2.Actor:
    return common_pb2.Actor(department=DEPARTMENT, user=operator.username, reason=reason)


def _permits(reply: Any) -> dict[str, Any]:
    return {"permits": [to_json(p) for p in reply.permits], **page_of(reply.page)}


def _list_permits(request: Request, uscc: str, status: str, size: int, token: str) -> dict[str, Any]:
    code = enum_value(permits_pb2.PermitStatus, "PERMIT_STATUS_", status, "status") if status else None
    message = permits_pb2.ListPermitsRequest(uscc=uscc, status=code, page=pm.page(size, token))
    return _permits(call(request, "permits", "ListPermits", message))


# ---------------------------------------------------------------- discharge permits


@router.get("/permits", response_model=PermitsOut)
def list_permits(
    request: Request,
    _: Reader,
    uscc: str = "",
    status: str = Query("", description=f"One of: {', '.join(PERMIT_STATUSES)}"),
    page_size: int = PAGE_SIZE,
    page_token: str = "",
) -> dict[str, Any]:
    """Discharge permits, of one enterprise or in one status, a page at a time."""
    return _list_permits(request, uscc, status, page_size, page_token)


@router.post("/permits", response_model=pm.PermitOut, status_code=CREATED)
def apply_permit(body: pm.PermitApplicationIn, request: Request, operator: Officer) -> dict[str, Any]:
    """Record an enterprise's application for a discharge permit (the service numbers it)."""
    message = permits_pb2.ApplyPermitRequest(
        uscc=body.uscc,
        outlets=pm.outlet_limits(body.outlets),
        applied_on=pm.day(body.applied_on, "applied_on"),
        actor=_actor(operator, body.reason),
    )
    return to_json(call(request, "permits", "ApplyPermit", message))


@router.get("/enterprises/{uscc}/permits", response_model=PermitsOut)
def enterprise_permits(
    uscc: str,
    request: Request,
    _: Reader,
    status: str = Query("", description=f"One of: {', '.join(PERMIT_STATUSES)}"),
    page_size: int = PAGE_SIZE,
    page_token: str = "",
) -> dict[str, Any]:
    """One enterprise's discharge permits."""
    return _list_permits(request, uscc, status, page_size, page_token)


@router.get("/permits/expiring", response_model=PermitsOut)
def expiring_permits(
    request: Request,
    _: Reader,
    from_: str = _day_query(DAY, alias="from"),
    to: str = _day_query(DAY),
    page_size: int = PAGE_SIZE,
    page_token: str = "",
) -> dict[str, Any]:
    """Permits whose validity ends between two days (to plan renewals)."""
    message = permits_pb2.ListExpiringPermitsRequest(to=pm.day(to, "to"), page=pm.page(page_size, page_token))
    getattr(message, "from").CopyFrom(pm.day(from_, "from") or common_pb2.Date())
    return _permits(call(request, "permits", "ListExpiringPermits", message))


@router.get("/permits/{permit_number}", response_model=pm.PermitOut)
def get_permit(permit_number: str, request: Request, _: Reader) -> dict[str, Any]:
    """One permit: status, validity, per-outlet limits and its last action."""
    message = permits_pb2.GetPermitRequest(permit_number=permit_number)
    return to_json(call(request, "permits", "GetPermit", message))


@router.post("/permits/{permit_number}/issue", response_model=pm.PermitOut)
def issue_permit(permit_number: str, body: pm.IssueIn, request: Request, operator: Officer) -> dict[str, Any]:
    """Issue a permit under review; its limits become the outlets' thresholds."""
    message = permits_pb2.IssuePermitRequest(
        permit_number=permit_number,
        valid_from=pm.day(body.valid_from, "valid_from"),
        outlets=pm.outlet_limits(body.outlets),
        actor=_actor(operator, body.reason),
    )
    return to_json(call(request, "permits", "IssuePermit", message))


# The lifecycle steps that take only the permit and the reason: path -> (RPC, what it does).
ACTIONS = {
    "review": ("StartPermitReview", "Start reviewing an applied permit."),
    "renew": ("RenewPermit", "Renew an issued permit for another term."),
    "apply-renewal": ("ApplyPermitRenewal", "Record the enterprise's renewal application."),
    "refuse-renewal": ("RefusePermitRenewal", "Refuse a renewal application."),
    "revoke": ("RevokePermit", "Revoke a permit (the enterprise may no longer discharge under it)."),
    "suspend": ("SuspendPermit", "Suspend a permit (an enforcement decision)."),
    "reject": ("RejectPermit", "Reject an application under review."),
    "withdraw": ("WithdrawPermit", "Withdraw an application at the enterprise's request."),
    "reinstate": ("ReinstatePermit", "Reinstate a suspended permit."),
}


def _action_route(rpc: str, summary: str) -> Any:
    def act(permit_number: str, body: ActionIn, request: Request, operator: Officer) -> dict[str, Any]:
        message = permits_pb2.PermitActionRequest(
            permit_number=permit_number, actor=_actor(operator, body.reason)
        )
        return to_json(call(request, "permits", rpc, message))

    act.__doc__ = summary
    act.__name__ = f"permit_{rpc}"
    return act


for _path, (_rpc, _summary) in ACTIONS.items():
    router.add_api_route(
        f"/permits/{{permit_number}}/{_path}",
        _action_route(_rpc, _summary),
        methods=["POST"],
        response_model=pm.PermitOut,
        summary=_summary.rstrip("."),
    )


# ---------------------------------------------------------------- EIA approvals


@router.get("/eia", response_model=pm.EiasOut)
def list_eia(
    request: Request,
    _: Reader,
    uscc: str = "",
    status: str = Query("", description=f"One of: {', '.join(EIA_STATUSES)}"),
    overdue_only: bool = False,
    page_size: int = PAGE_SIZE,
    page_token: str = "",
) -> dict[str, Any]:
    """EIA applications, of one enterprise, in one status or overdue, a page at a time."""
    code = enum_value(permits_pb2.EiaStatus, "EIA_STATUS_", status, "status") if status else None
    message = permits_pb2.ListEiaRequest(
        uscc=uscc,
        status=code,
        overdue_only=overdue_only,
        page=pm.page(page_size, page_token),
    )
    reply = call(request, "permits", "ListEia", message)
    return {"applications": [to_json(a) for a in reply.applications], **page_of(reply.page)}


@router.post("/eia", response_model=pm.EiaOut, status_code=CREATED)
def accept_eia(body: pm.EiaIn, request: Request, operator: Officer) -> dict[str, Any]:
    """Record an accepted EIA application; its statutory deadline runs from acceptance (EIA Law
    art. 22), and a registration form is filed at once."""
    message = permits_pb2.AcceptEiaRequest(
        uscc=body.uscc,
        project_name=body.project_name,
        document_type=pm.document_type(body.document_type),
        accepted_on=pm.day(body.accepted_on, "accepted_on"),
        green_channel=body.green_channel,
        actor=_actor(operator, body.reason),
    )
    return to_json(call(request, "permits", "AcceptEia", message))


@router.get("/eia/{eia_id}", response_model=pm.EiaOut)
def get_eia(eia_id: str, request: Request, _: Reader) -> dict[str, Any]:
    """One EIA application with its deadline and days left."""
    return to_json(call(request, "permits", "GetEia", permits_pb2.GetEiaRequest(eia_id=eia_id)))


@router.post("/eia/{eia_id}/review", response_model=pm.EiaOut)
def review_eia(eia_id: str, body: ActionIn, request: Request, operator: Officer) -> dict[str, Any]:
    """Start the technical review of an accepted EIA application."""
    message = permits_pb2.EiaActionRequest(eia_id=eia_id, actor=_actor(operator, body.reason))
    return to_json(call(request, "permits", "StartEiaReview", message))


@router.post("/eia/{eia_id}/decision", response_model=pm.EiaOut)
def decide_eia(eia_id: str, body: pm.EiaDecisionIn, request: Request, operator: Officer) -> dict[str, Any]:
    """Approve or reject an EIA application under review."""
    message = permits_pb2.DecideEiaRequest(
        eia_id=eia_id,
        approved=body.approved,
        decided_on=pm.day(body.decided_on, "decided_on"),
        note=body.note,
        actor=_actor(operator, body.reason),
    )
    return to_json(call(request, "permits", "DecideEia", message))


# ---------------------------------------------------------------- radiation safety permits


@router.get("/radiation-permits", response_model=pm.RadiationPermitsOut)
def list_radiation_permits(
    request: Request,
    _: Reader,
    uscc: str = "",
    status: str = Query("", description=f"One of: {', '.join(RADIATION_STATUSES)}"),
    page_size: int = PAGE_SIZE,
    page_token: str = "",
) -> dict[str, Any]:
    """Radiation safety permits, of one enterprise or in one status, a page at a time."""
    code = (
        enum_value(permits_pb2.RadiationPermitStatus, "RADIATION_PERMIT_STATUS_", status, "status")
        if status
        else None
    )
    message = permits_pb2.ListRadiationPermitsRequest(
        uscc=uscc, status=code, page=pm.page(page_size, page_token)
    )
    reply = call(request, "permits", "ListRadiationPermits", message)
    return {"permits": [to_json(p) for p in reply.permits], **page_of(reply.page)}


@router.post("/radiation-permits", response_model=pm.RadiationPermitOut, status_code=CREATED)
def issue_radiation_permit(body: pm.RadiationPermitIn, request: Request, operator: Officer) -> dict[str, Any]:
    """Issue (or enter a paper) radiation safety permit to an enterprise flagged with radiation sources."""
    message = permits_pb2.IssueRadiationPermitRequest(
        uscc=body.uscc,
        permit_number=body.permit_number,
        scope=body.scope,
        valid_from=pm.day(body.valid_from, "valid_from"),
        actor=_actor(operator, body.reason),
    )
    return to_json(call(request, "permits", "IssueRadiationPermit", message))


@router.get("/radiation-permits/holding-rate", response_model=pm.HoldingRateOut)
def radiation_holding_rate(
    request: Request, _: Reader, at: str = _day_query(f"{DAY}; default today", default="")
) -> dict[str, Any]:
    """The share of radiation-flagged enterprises holding a valid permit, against the target."""
    message = permits_pb2.GetRadiationHoldingRateRequest(at=pm.day(at, "at"))
    return to_json(call(request, "permits", "GetRadiationHoldingRate", message))


@router.get("/radiation-permits/{permit_number}", response_model=pm.RadiationPermitOut)
def get_radiation_permit(permit_number: str, request: Request, _: Reader) -> dict[str, Any]:
    """One radiation safety permit."""
    message = permits_pb2.RadiationPermitActionRequest(permit_number=permit_number)
    return to_json(call(request, "permits", "GetRadiationPermit", message))


@router.post("/radiation-permits/{permit_number}/renew", response_model=pm.RadiationPermitOut)
def renew_radiation_permit(
    permit_number: str, body: ActionIn, request: Request, operator: Officer
) -> dict[str, Any]:
    """Renew a radiation safety permit in its renewal window."""
    message = permits_pb2.RadiationPermitActionRequest(
        permit_number=permit_number, actor=_actor(operator, body.reason)
    )
    return to_json(call(request, "permits", "RenewRadiationPermit", message))


# ---------------------------------------------------------------- discharge-rights ledger
# Every movement keeps who made it and why (reason required); the service holds cap = reserve +
# holdings at every step and refuses a movement that would break it.


@router.get("/rights/{pollutant}", response_model=pm.RightsPositionOut)
def rights_position(pollutant: Pollutant, request: Request, _: Reader) -> dict[str, Any]:
    """A pollutant's cap, the bureau's reserve and every holder's tonnes."""
    message = permits_pb2.GetRightsPositionRequest(pollutant=pollutant)
    return to_json(call(request, "permits", "GetRightsPosition", message))


@router.get("/rights/{pollutant}/entries", response_model=pm.RightsEntriesOut)
def rights_entries(
    pollutant: Pollutant,
    request: Request,
    _: Reader,
    uscc: str = "",
    page_size: int = PAGE_SIZE,
    page_token: str = "",
) -> dict[str, Any]:
    """The ledger of a pollutant's rights: caps, allocations, transfers and returns, a page at a time."""
    message = permits_pb2.ListRightsEntriesRequest(
        pollutant=pollutant, uscc=uscc, page=pm.page(page_size, page_token)
    )
    reply = call(request, "permits", "ListRightsEntries", message)
    return {"entries": [to_json(e) for e in reply.entries], **page_of(reply.page)}


@router.put("/rights/{pollutant}/cap", response_model=pm.RightsPositionOut)
def set_rights_cap(
    pollutant: Pollutant, body: pm.RightsCapIn, request: Request, operator: Officer
) -> dict[str, Any]:
    """Set (or change) the city cap of a pollutant; the difference goes to or comes from the reserve."""
    message = permits_pb2.SetRightsCapRequest(
        pollutant=pollutant, cap_tonnes=body.cap_tonnes, actor=_actor(operator, body.reason)
    )
    return to_json(call(request, "permits", "SetRightsCap", message))


@router.post("/rights/{pollutant}/allocations", response_model=pm.RightsEntryOut, status_code=CREATED)
def allocate_rights(
    pollutant: Pollutant, body: pm.AllocationIn, request: Request, operator: Officer
) -> dict[str, Any]:
    """Allocate rights from the reserve to an enterprise."""
    message = permits_pb2.AllocateRightsRequest(
        pollutant=pollutant, uscc=body.uscc, tonnes=body.tonnes, actor=_actor(operator, body.reason)
    )
    return to_json(call(request, "permits", "AllocateRights", message))


@router.post("/rights/{pollutant}/transfers", response_model=pm.RightsEntryOut, status_code=CREATED)
def transfer_rights(
    pollutant: Pollutant, body: pm.TransferIn, request: Request, operator: Officer
) -> dict[str, Any]:
    """Record a transfer of rights from one enterprise to another (a trade)."""
    message = permits_pb2.TransferRightsRequest(
        pollutant=pollutant,
        from_uscc=body.from_uscc,
        to_uscc=body.to_uscc,
        tonnes=body.tonnes,
        actor=_actor(operator, body.reason),
    )
    return to_json(call(request, "permits", "TransferRights", message))


@router.post("/rights/{pollutant}/returns", response_model=pm.RightsEntryOut, status_code=CREATED)
def return_rights(
    pollutant: Pollutant, body: pm.ReturnIn, request: Request, operator: Officer
) -> dict[str, Any]:
    """Return an enterprise's rights to the reserve."""
    message = permits_pb2.ReturnRightsRequest(
        pollutant=pollutant, uscc=body.uscc, tonnes=body.tonnes, actor=_actor(operator, body.reason)
    )
    return to_json(call(request, "permits", "ReturnRights", message))
