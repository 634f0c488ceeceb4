"""Permits for operators: pollutant-discharge permits and their lifecycle, EIA approvals, radiation
safety permits and the discharge-rights ledger. Every rule (the permit state machine, EIA time
limits, the rights cap) is the permits service's; its errors come back as HTTP with the same
message, and while it is down these routes answer 503. A change names the operator who made it and
their reason (the service keeps them as the permit's last action).

A grid commissioner reads the permits of enterprises in their area (/api/v1/enterprises/{uscc}/...);
the city-wide lists are for city-wide roles (gateway.roles)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from eco.v1 import common_pb2, permits_pb2
from gateway import operators
from gateway.calls import call, enum_names, enum_value
from gateway.contract import Open
from gateway.errors import API_ERRORS
from gateway.routers.enterprises import to_json
from shared.errors import InvalidArgument

router = APIRouter(prefix="/api/v1", tags=["permits"], responses=API_ERRORS)
# Who may call each route, and a grid commissioner's area: gateway.roles (tag "permits").
Reader = Annotated[operators.Operator, Depends(operators.require())]
Officer = Annotated[operators.Operator, Depends(operators.require())]
PAGE_SIZE = Query(50, ge=1, le=500)
PERMIT_STATUSES = enum_names(permits_pb2.PermitStatus, "PERMIT_STATUS_")
EIA_STATUSES = enum_names(permits_pb2.EiaStatus, "EIA_STATUS_")
RADIATION_STATUSES = enum_names(permits_pb2.RadiationPermitStatus, "RADIATION_PERMIT_STATUS_")
DEPARTMENT = "bureau"
PERMIT_NUMBER = "91330282MA2A0000X1001P"


class PermitOut(Open):
    """A pollutant-discharge permit with its per-outlet limits."""

    permit_number: str = Field(examples=[PERMIT_NUMBER])
    uscc: str = Field(examples=["91330282MA2A0000X1"])
    status: str | None = Field(
        default=None, examples=["issued"], description=f"One of: {', '.join(PERMIT_STATUSES)}"
    )
    valid_from: str | None = Field(default=None, examples=["2026-03-01"])
    valid_until: str | None = Field(default=None, examples=["2031-02-28"])


class PermitsOut(BaseModel):
    """A page of permits."""

    permits: list[PermitOut]
    next_page_token: str = ""
    total: int = 0


class EiaOut(Open):
    """An EIA application (环评审批) and its statutory deadline (EIA Law art. 22)."""

    eia_id: str
    uscc: str
    project_name: str = ""
    status: str | None = Field(
        default=None, examples=["under_review"], description=f"One of: {', '.join(EIA_STATUSES)}"
    )
    deadline: str | None = Field(default=None, examples=["2026-12-31"])
    days_left: int = 0
    overdue: bool = False


class EiasOut(BaseModel):
    """A page of EIA applications."""

    applications: list[EiaOut]
    next_page_token: str = ""
    total: int = 0


class RadiationPermitOut(Open):
    """A radiation safety permit (辐射安全许可证)."""

    permit_number: str
    uscc: str
    status: str | None = Field(default=None, description=f"One of: {', '.join(RADIATION_STATUSES)}")
    valid_until: str | None = None


class RadiationPermitsOut(BaseModel):
    """A page of radiation safety permits."""

    permits: list[RadiationPermitOut]
    next_page_token: str = ""
    total: int = 0


class HoldingRateOut(Open):
    """Enterprises flagged for radiation that hold a valid permit, against the target."""

    holding: int = 0
    flagged: int = 0
    rate: float = 0.0
    target: float = 0.0


class RightsPositionOut(Open):
    """A pollutant's cap, reserve and holdings (tonnes a year)."""

    pollutant: str = Field(examples=["COD"])
    cap_tonnes: float = 0.0
    reserve_tonnes: float = 0.0
    holdings: list[dict[str, Any]] = Field(default_factory=list)


class RightsEntriesOut(BaseModel):
    """A page of the rights ledger."""

    entries: list[dict[str, Any]]
    next_page_token: str = ""
    total: int = 0


class ActionIn(BaseModel):
    """Why the operator takes this step (kept as the record's last action)."""

    reason: str = Field(default="", max_length=500, examples=["现场核查通过"])


class IssueIn(ActionIn):
    """Issue a permit under review (limits as applied)."""

    valid_from: str = Field(
        default="", description="YYYY-MM-DD; default today; never in the future", examples=[""]
    )


class DecisionIn(ActionIn):
    """Approve or reject an EIA application."""

    approved: bool
    note: str = Field(default="", max_length=2000)
    decided_on: str = Field(default="", description="YYYY-MM-DD; default today")


def _page(page_size: int, page_token: str) -> common_pb2.PageRequest:
    return common_pb2.PageRequest(page_size=page_size, page_token=page_token)


def _date(raw: str, field: str) -> common_pb2.Date | None:
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise InvalidArgument(field, f"must be a date YYYY-MM-DD, got {raw!r}") from None
    return common_pb2.Date(year=day.year, month=day.month, day=day.day)


def _actor(operator: operators.Operator, reason: str) -> common_pb2.Actor:
    return common_pb2.Actor(department=DEPARTMENT, user=operator.username, reason=reason)


def _permits(reply: Any) -> PermitsOut:
    return PermitsOut(
        permits=[PermitOut(**to_json(p)) for p in reply.permits],
        next_page_token=reply.page.next_page_token,
        total=reply.page.total,
    )


def _list_permits(request: Request, uscc: str, status: str, size: int, token: str) -> PermitsOut:
    code = enum_value(permits_pb2.PermitStatus, "PERMIT_STATUS_", status, "status") if status else None
    message = permits_pb2.ListPermitsRequest(uscc=uscc, status=code, page=_page(size, token))
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
) -> PermitsOut:
    """Discharge permits, of one enterprise or in one status, a page at a time."""
    return _list_permits(request, uscc, status, page_size, page_token)


@router.get("/enterprises/{uscc}/permits", response_model=PermitsOut)
def enterprise_permits(
    uscc: str,
    request: Request,
    _: Reader,
    status: str = Query("", description=f"One of: {', '.join(PERMIT_STATUSES)}"),
    page_size: int = PAGE_SIZE,
    page_token: str = "",
) -> PermitsOut:
    """One enterprise's discharge permits."""
    return _list_permits(request, uscc, status, page_size, page_token)


@router.get("/permits/expiring", response_model=PermitsOut)
def expiring_permits(
    request: Request,
    _: Reader,
    from_: str = Query(alias="from", description="YYYY-MM-DD"),
    to: str = Query(description="YYYY-MM-DD"),
    page_size: int = PAGE_SIZE,
    page_token: str = "",
) -> PermitsOut:
    """Permits whose validity ends between two days (to plan renewals)."""
    message = permits_pb2.ListExpiringPermitsRequest(to=_date(to, "to"), page=_page(page_size, page_token))
    getattr(message, "from").CopyFrom(_date(from_, "from") or common_pb2.Date())
    return _permits(call(request, "permits", "ListExpiringPermits", message))


@router.get("/permits/{permit_number}", response_model=PermitOut)
def get_permit(permit_number: str, request: Request, _: Reader) -> PermitOut:
    """One permit: status, validity, per-outlet limits and its last action."""
    return PermitOut(
        **to_json(
            call(request, "permits", "GetPermit", permits_pb2.GetPermitRequest(permit_number=permit_number))
        )
    )


@router.post("/permits/{permit_number}/issue", response_model=PermitOut)
def issue_permit(permit_number: str, body: IssueIn, request: Request, operator: Officer) -> PermitOut:
    """Issue a permit under review; its limits become the outlets' thresholds."""
    message = permits_pb2.IssuePermitRequest(
        permit_number=permit_number,
        valid_from=_date(body.valid_from, "valid_from"),
        actor=_actor(operator, body.reason),
    )
    return PermitOut(**to_json(call(request, "permits", "IssuePermit", message)))


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
    def act(permit_number: str, body: ActionIn, request: Request, operator: Officer) -> PermitOut:
        message = permits_pb2.PermitActionRequest(
            permit_number=permit_number, actor=_actor(operator, body.reason)
        )
        return PermitOut(**to_json(call(request, "permits", rpc, message)))

    act.__doc__ = summary
    act.__name__ = f"permit_{rpc}"
    return act


for _path, (_rpc, _summary) in ACTIONS.items():
    router.add_api_route(
        f"/permits/{{permit_number}}/{_path}",
        _action_route(_rpc, _summary),
        methods=["POST"],
        response_model=PermitOut,
        summary=_summary.rstrip("."),
    )


# ---------------------------------------------------------------- EIA approvals


@router.get("/eia", response_model=EiasOut)
def list_eia(
    request: Request,
    _: Reader,
    uscc: str = "",
    status: str = Query("", description=f"One of: {', '.join(EIA_STATUSES)}"),
    overdue_only: bool = False,
    page_size: int = PAGE_SIZE,
    page_token: str = "",
) -> EiasOut:
    """EIA applications, of one enterprise, in one status or overdue, a page at a time."""
    code = enum_value(permits_pb2.EiaStatus, "EIA_STATUS_", status, "status") if status else None
    message = permits_pb2.ListEiaRequest(
        uscc=uscc,
        status=code,
        overdue_only=overdue_only,
        page=_page(page_size, page_token),
    )
    reply = call(request, "permits", "ListEia", message)
    return EiasOut(
        applications=[EiaOut(**to_json(a)) for a in reply.applications],
        next_page_token=reply.page.next_page_token,
        total=reply.page.total,
    )


@router.get("/eia/{eia_id}", response_model=EiaOut)
def get_eia(eia_id: str, request: Request, _: Reader) -> EiaOut:
    """One EIA application with its deadline and days left."""
    return EiaOut(**to_json(call(request, "permits", "GetEia", permits_pb2.GetEiaRequest(eia_id=eia_id))))


@router.post("/eia/{eia_id}/review", response_model=EiaOut)
def review_eia(eia_id: str, body: ActionIn, request: Request, operator: Officer) -> EiaOut:
    """Start the technical review of an accepted EIA application."""
    message = permits_pb2.EiaActionRequest(eia_id=eia_id, actor=_actor(operator, body.reason))
    return EiaOut(**to_json(call(request, "permits", "StartEiaReview", message)))


@router.post("/eia/{eia_id}/decision", response_model=EiaOut)
def decide_eia(eia_id: str, body: DecisionIn, request: Request, operator: Officer) -> EiaOut:
    """Approve or reject an EIA application under review."""
    message = permits_pb2.DecideEiaRequest(
        eia_id=eia_id,
        approved=body.approved,
        decided_on=_date(body.decided_on, "decided_on"),
        note=body.note,
        actor=_actor(operator, body.reason),
    )
    return EiaOut(**to_json(call(request, "permits", "DecideEia", message)))


# ---------------------------------------------------------------- radiation safety permits


@router.get("/radiation-permits", response_model=RadiationPermitsOut)
def list_radiation_permits(
    request: Request,
    _: Reader,
    uscc: str = "",
    status: str = Query("", description=f"One of: {', '.join(RADIATION_STATUSES)}"),
    page_size: int = PAGE_SIZE,
    page_token: str = "",
) -> RadiationPermitsOut:
    """Radiation safety permits, of one enterprise or in one status, a page at a time."""
    code = (
        enum_value(permits_pb2.RadiationPermitStatus, "RADIATION_PERMIT_STATUS_", status, "status")
        if status
        else None
    )
    message = permits_pb2.ListRadiationPermitsRequest(
        uscc=uscc, status=code, page=_page(page_size, page_token)
    )
    reply = call(request, "permits", "ListRadiationPermits", message)
    return RadiationPermitsOut(
        permits=[RadiationPermitOut(**to_json(p)) for p in reply.permits],
        next_page_token=reply.page.next_page_token,
        total=reply.page.total,
    )


@router.get("/radiation-permits/holding-rate", response_model=HoldingRateOut)
def radiation_holding_rate(
    request: Request, _: Reader, at: str = Query("", description="YYYY-MM-DD; default today")
) -> HoldingRateOut:
    """The share of radiation-flagged enterprises holding a valid permit, against the target."""
    message = permits_pb2.GetRadiationHoldingRateRequest(at=_date(at, "at"))
    return HoldingRateOut(**to_json(call(request, "permits", "GetRadiationHoldingRate", message)))


@router.get("/radiation-permits/{permit_number}", response_model=RadiationPermitOut)
def get_radiation_permit(permit_number: str, request: Request, _: Reader) -> RadiationPermitOut:
    """One radiation safety permit."""
    message = permits_pb2.RadiationPermitActionRequest(permit_number=permit_number)
    return RadiationPermitOut(**to_json(call(request, "permits", "GetRadiationPermit", message)))


@router.post("/radiation-permits/{permit_number}/renew", response_model=RadiationPermitOut)
def renew_radiation_permit(
    permit_number: str, body: ActionIn, request: Request, operator: Officer
) -> RadiationPermitOut:
    """Renew a radiation safety permit in its renewal window."""
    message = permits_pb2.RadiationPermitActionRequest(
        permit_number=permit_number, actor=_actor(operator, body.reason)
    )
    return RadiationPermitOut(**to_json(call(request, "permits", "RenewRadiationPermit", message)))


# ---------------------------------------------------------------- discharge-rights ledger


@router.get("/rights/{pollutant}", response_model=RightsPositionOut)
def rights_position(pollutant: str, request: Request, _: Reader) -> RightsPositionOut:
    """A pollutant's cap, the bureau's reserve and every holder's tonnes."""
    reply = call(
        request, "permits", "GetRightsPosition", permits_pb2.GetRightsPositionRequest(pollutant=pollutant)
    )
    return RightsPositionOut(**to_json(reply))


@router.get("/rights/{pollutant}/entries", response_model=RightsEntriesOut)
def rights_entries(
    pollutant: str,
    request: Request,
    _: Reader,
    uscc: str = "",
    page_size: int = PAGE_SIZE,
    page_token: str = "",
) -> RightsEntriesOut:
    """The ledger of a pollutant's rights: caps, allocations, transfers and returns, a page at a time."""
    message = permits_pb2.ListRightsEntriesRequest(
        pollutant=pollutant, uscc=uscc, page=_page(page_size, page_token)
    )
    reply = call(request, "permits", "ListRightsEntries", message)
    return RightsEntriesOut(
        entries=[to_json(e) for e in reply.entries],
        next_page_token=reply.page.next_page_token,
        total=reply.page.total,
    )
