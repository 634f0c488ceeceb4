"""Petitions (信访) at the gateway: the public tracking page (no account, rate-limited, public fields
only), and operators' routes: a hotline call entered by an operator (12369), the list, one petition
and each step of its handling. Enforcement owns petitions; this only translates."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from eco.v1 import common_pb2, enforcement_pb2
from gateway import operators
from gateway.clients import clients_of
from gateway.contract import Out
from gateway.errors import API_ERRORS
from gateway.inputs import In, Int32
from gateway.public import page
from gateway.public.petitions import HOTLINE
from gateway.public.views import iso
from gateway.ratelimit import RateLimited, hit_public
from gateway.routers.inspections import too_many
from shared.errors import InvalidArgument

router = APIRouter(tags=["petitions"], responses=API_ERRORS)
CALL_TIMEOUT = 10.0
pb = enforcement_pb2
STATUS = {
    pb.PETITION_STATUS_RECEIVED: ("received", "已收到，待受理 · Received"),
    pb.PETITION_STATUS_ACCEPTED: ("accepted", "已受理，办理中 · Accepted"),
    pb.PETITION_STATUS_DECLINED: ("declined", "不予受理 · Not accepted"),
    pb.PETITION_STATUS_EXTENDED: ("extended", "延期办理 · Extended"),
    pb.PETITION_STATUS_ANSWERED: ("answered", "已答复 · Answered"),
    pb.PETITION_STATUS_CLOSED: ("closed", "已办结 · Closed"),
}
STATUS_IN = {name: value for value, (name, _) in STATUS.items()}
# Who handles petitions: the bureau's officers; grid staff see them too.
HANDLERS = ("admin", "officer")
READERS = ("admin", "officer", "grid", "inspector")
Handler = Annotated[operators.Operator, Depends(operators.require(*HANDLERS))]
Reader = Annotated[operators.Operator, Depends(operators.require(*READERS))]


class PublicPetitionOut(Out):
    """What anyone holding the tracking code sees: never the text, the contact or the place."""

    tracking_code: str
    status: str
    status_label: str
    category: str
    uscc: str
    town: str
    received_at: str | None
    accept_due_at: str | None
    accepted_at: str | None
    handle_due_at: str | None
    decline_reason: str
    answer: str
    answered_at: str | None
    closed_at: str | None
    linked_to_earlier: bool


class PetitionOut(PublicPetitionOut):
    """A petition as operators see it."""

    petition_id: str
    source: str
    text: str
    contact: str
    grid_id: str
    problem_id: str
    escalation_level: int
    overdue: bool
    extension_days: int
    extension_reason: str
    linked_to: str


class RateLimitedOut(Out):
    """A public route's refusal of a client calling too often (Retry-After says when to try again)."""

    error: str = Field(examples=["rate_limited"])
    message: str


# The tracking page answers HTML by default and JSON with Accept: application/json.
TRACK_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {"schema": {"type": "string"}}}},
    429: {"description": "Too many requests from this client", "model": RateLimitedOut},
}


class PetitionPage(Out):
    """One page of petitions."""

    petitions: list[PetitionOut]
    next_page_token: str
    total: int


class HotlineIn(In):
    """A petition taken over the hotline (or by letter or visit) by an operator."""

    source: str = Field(default="hotline_12369", max_length=30)
    category: str = Field(max_length=20)
    text: str = Field(max_length=4000)
    uscc: str = Field(default="", max_length=18)
    contact: str = Field(default="", max_length=100)
    lat: float | None = None
    lon: float | None = None


class DecisionIn(In):
    """Accept, or decline with the reason the petitioner is told."""

    accept: bool
    decline_reason: str = Field(default="", max_length=1000)
    reason: str = Field(default="", max_length=1000)


class ExtensionIn(In):
    """The one extension: 1 to 30 days, with its reason."""

    days: Int32
    reason: str = Field(max_length=1000)


class AnswerIn(In):
    """The written answer and whether the complaint proved founded."""

    answer: str = Field(max_length=4000)
    substantiated: bool = False


class CloseIn(In):
    """A note on closing."""

    note: str = Field(default="", max_length=1000)


def public_out(p: pb.Petition) -> dict[str, Any]:
    """The public fields of a petition."""
    name, label = STATUS.get(p.status, ("unspecified", ""))
    return {
        "tracking_code": p.tracking_code,
        "status": name,
        "status_label": label,
        "category": p.category,
        "uscc": p.uscc,
        "town": p.town,
        "received_at": iso(p.received_at),
        "accept_due_at": iso(p.accept_due_at),
        "accepted_at": iso(p.accepted_at),
        "handle_due_at": iso(p.handle_due_at),
        "decline_reason": p.decline_reason,
        "answer": p.answer,
        "answered_at": iso(p.answered_at),
        "closed_at": iso(p.closed_at),
        "linked_to_earlier": bool(p.linked_to),
    }


def petition_out(p: pb.Petition) -> dict[str, Any]:
    """A petition for operators."""
    return {
        **public_out(p),
        "petition_id": p.petition_id,
        "source": p.source,
        "text": p.text,
        "contact": p.contact,
        "grid_id": p.grid_id,
        "problem_id": p.problem_id,
        "escalation_level": p.escalation_level,
        "overdue": p.overdue,
        "extension_days": p.extension.days,
        "extension_reason": p.extension.reason,
        "linked_to": p.linked_to,
    }


def _call(request: Request, method: str, message: Any) -> Any:
    clients = clients_of(request.app.state)
    return getattr(clients.enforcement, method)(message, metadata=clients.metadata(), timeout=CALL_TIMEOUT)


def _actor(operator: operators.Operator, reason: str = "") -> common_pb2.Actor:
    return common_pb2.Actor(user=operator.username, reason=reason)


@router.get(
    "/petitions/track/{tracking_code}",
    response_model=PublicPetitionOut,
    responses=TRACK_RESPONSES,
)
async def track(tracking_code: str, request: Request) -> Response:
    """The public tracking page of a petition (HTML, or JSON with Accept: application/json)."""
    try:
        hit_public(request)
    except RateLimited as limited:
        return too_many(limited)
    found = await run_in_threadpool(
        _call, request, "TrackPetition", pb.TrackPetitionRequest(tracking_code=tracking_code[:40])
    )
    body = public_out(found)
    if "application/json" in request.headers.get("accept", ""):
        # Returned as a response, so FastAPI does not check it: the model does (extra fields refused).
        return JSONResponse(PublicPetitionOut.model_validate(body).model_dump())
    response = page.TEMPLATES.TemplateResponse(
        request, "public/track.html", {"body": body, "hotline": HOTLINE}
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/api/v1/petitions", response_model=PetitionOut, status_code=201)
def enter(body: HotlineIn, request: Request, operator: Handler) -> dict[str, Any]:
    """A petition taken by an operator (the 12369 hotline, a letter, a visit)."""
    message = pb.SubmitPetitionRequest(
        uscc=body.uscc, source=body.source, category=body.category, text=body.text
    )
    if body.contact:
        message.contact = body.contact
    if body.lat is not None or body.lon is not None:
        message.location.CopyFrom(common_pb2.GeoPoint(lat=body.lat or 0.0, lon=body.lon or 0.0))
    return petition_out(_call(request, "SubmitPetition", message))


@router.get("/api/v1/petitions", response_model=PetitionPage)
def list_petitions(
    request: Request,
    _: Reader,
    status: Annotated[list[str], Query()] = [],  # noqa: B006 (FastAPI reads the default, never mutates it)
    uscc: str = "",
    town: str = "",
    grid_id: str = "",
    overdue: bool = False,
    page_size: int = Query(50, ge=1, le=500),
    page_token: str = "",
) -> dict[str, Any]:
    """Petitions by status, enterprise, town, grid, overdue."""
    unknown = [s for s in status if s not in STATUS_IN]
    if unknown:
        raise InvalidArgument("status", f"must be among {', '.join(STATUS_IN)}; got {unknown[0]!r}")
    found = _call(
        request,
        "ListPetitions",
        pb.ListPetitionsRequest(
            statuses=[STATUS_IN[s] for s in status],
            uscc=uscc,
            town=town,
            grid_id=grid_id,
            overdue_only=overdue,
            page=common_pb2.PageRequest(page_size=page_size, page_token=page_token),
        ),
    )
    return {
        "petitions": [petition_out(p) for p in found.petitions],
        "next_page_token": found.page.next_page_token,
        "total": found.page.total,
    }


@router.get("/api/v1/petitions/{petition_id}", response_model=PetitionOut)
def get_petition(petition_id: str, request: Request, _: Reader) -> dict[str, Any]:
    """One petition."""
    return petition_out(_call(request, "GetPetition", pb.GetPetitionRequest(petition_id=petition_id)))


@router.post("/api/v1/petitions/{petition_id}/decision", response_model=PetitionOut)
def decide(petition_id: str, body: DecisionIn, request: Request, operator: Handler) -> dict[str, Any]:
    """Accept (opening a problem in its grid) or decline a received petition."""
    message = pb.AcceptPetitionRequest(
        petition_id=petition_id,
        accept=body.accept,
        decline_reason=body.decline_reason,
        actor=_actor(operator, body.reason),
    )
    return petition_out(_call(request, "AcceptPetition", message))


@router.post("/api/v1/petitions/{petition_id}/extension", response_model=PetitionOut)
def extend(petition_id: str, body: ExtensionIn, request: Request, operator: Handler) -> dict[str, Any]:
    """The one extension of the handling deadline."""
    message = pb.ExtendPetitionRequest(
        petition_id=petition_id, days=body.days, reason=body.reason, actor=_actor(operator)
    )
    return petition_out(_call(request, "ExtendPetition", message))


@router.post("/api/v1/petitions/{petition_id}/answer", response_model=PetitionOut)
def answer(petition_id: str, body: AnswerIn, request: Request, operator: Handler) -> dict[str, Any]:
    """The written answer."""
    message = pb.AnswerPetitionRequest(
        petition_id=petition_id, answer=body.answer, substantiated=body.substantiated, actor=_actor(operator)
    )
    return petition_out(_call(request, "AnswerPetition", message))


@router.post("/api/v1/petitions/{petition_id}/close", response_model=PetitionOut)
def close(petition_id: str, body: CloseIn, request: Request, operator: Handler) -> dict[str, Any]:
    """Close an answered or declined petition."""
    message = pb.ClosePetitionRequest(petition_id=petition_id, note=body.note, actor=_actor(operator))
    return petition_out(_call(request, "ClosePetition", message))
