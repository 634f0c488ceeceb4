"""The public code page (GET /c/{token}) and its "report a problem" form (POST /c/{token}/petitions).

Public routes: no account needed, rate-limited per client (gateway.ratelimit). The page shows only
public fields: the code service's public status (profile, live credit and permit) and the [public]
fields of enforcement's inspections and decisions. A figure whose owner does not answer is shown
as unavailable, never as zero or "none". An officer with a record-reading role (signed in with a
session cookie, since a phone camera sends no header, or with a Bearer token) also sees the full
record inline, marked internal; the public sees a small "staff sign-in" link instead.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import grpc
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from eco.v1 import codes_pb2, enforcement_pb2
from gateway import operators
from gateway.clients import clients_of
from gateway.errors import ErrorOut
from gateway.public import page
from gateway.public.internal import full_record, in_area, may_read_records
from gateway.public.live import Known, LiveStatus
from gateway.public.models import (
    PetitionReceivedOut,
    PetitionRefusedOut,
    PublicRefusalOut,
    PublicStatusOut,
)
from gateway.public.petitions import (
    CATEGORIES,
    CONTACT_MAX,
    HOTLINE,
    INTAKE_DOWN,
    TEXT_MAX,
    TEXT_MIN,
    petition_in,
    read_form,
)
from gateway.public.scans import ScanCounter
from gateway.public.views import CALL_TIMEOUT, enforcement_view, iso, status_view
from gateway.ratelimit import RateLimited, hit_public
from gateway.roles import GRID_COMMISSIONER
from shared.china_time import local_day
from shared.errors import InvalidArgument

router = APIRouter(tags=["public"])
TEMPLATES = page.TEMPLATES
VARY = "Accept, Authorization, Cookie"

# What each refusal means to someone holding a phone in front of a sticker, and its HTTP status.
REFUSALS = {
    codes_pb2.TOKEN_VERDICT_MALFORMED: (400, "malformed", "This is not a valid code (它不是有效的环保码)."),
    codes_pb2.TOKEN_VERDICT_TAMPERED: (
        400,
        "tampered",
        "This code was altered or forged (此码已被篡改或伪造).",
    ),
    codes_pb2.TOKEN_VERDICT_UNKNOWN: (404, "unknown", "No such code was issued by the bureau (查无此码)."),
    codes_pb2.TOKEN_VERDICT_SUPERSEDED: (
        410,
        "superseded",
        "This code was replaced by a newer one; look for the enterprise's current code (此码已更换).",
    ),
    codes_pb2.TOKEN_VERDICT_REVOKED: (410, "revoked", "This code was revoked by the bureau (此码已被注销)."),
}


def _answer(description: str, model: type[BaseModel]) -> dict[str, Any]:
    """A public answer: HTML by default, JSON in `model`'s shape with Accept: application/json."""
    return {
        "description": description,
        "model": model,
        "content": {"text/html": {"schema": {"type": "string"}}},
    }


# What the public routes answer, HTML by default and JSON with Accept: application/json. The routes
# are declared with JSONResponse so that the models document the JSON; they answer HTML themselves.
CODE_PAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: _answer("The enterprise's live public status", PublicStatusOut),
    400: _answer("Not a valid code, or an altered one", PublicRefusalOut),
    404: _answer("No such code was issued", PublicRefusalOut),
    410: _answer("The code was replaced or revoked", PublicRefusalOut),
    429: _answer("Too many requests from this client (Retry-After says when to try again)", PublicRefusalOut),
    503: _answer("The code service does not answer", PublicRefusalOut),
}
PETITION_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: _answer(
        "Received: the tracking code and the date by which acceptance is decided", PetitionReceivedOut
    ),
    400: _answer(
        "A field of the form is refused: the field and the reason; or not a valid code", PetitionRefusedOut
    ),
    404: _answer("No such code was issued", PublicRefusalOut),
    410: _answer("The code was replaced or revoked", PublicRefusalOut),
    413: {"description": "The form is larger than 16 KiB", "model": ErrorOut},
    429: _answer("Too many requests from this client", PublicRefusalOut),
    503: _answer("Petition intake does not answer; call the hotline", PetitionRefusedOut),
}


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _page(request: Request, template: str, context: dict[str, Any], status: int) -> Response:
    if _wants_json(request):
        return JSONResponse(context["body"], status_code=status)
    return TEMPLATES.TemplateResponse(request, template, {"hotline": HOTLINE, **context}, status_code=status)


def _refusal(request: Request, verdict: codes_pb2.TokenVerdict, detail: str) -> Response:
    status, kind, text = REFUSALS[verdict]
    body = {"error": kind, "message": text, "detail": detail, "hotline": HOTLINE}
    return _page(request, "public/refused.html", {"body": body}, status)


def _unavailable(request: Request, what: str) -> Response:
    body = {"error": "unavailable", "message": f"{what} is not available right now; call {HOTLINE}"}
    return _page(request, "public/refused.html", {"body": body}, 503)


def _too_many(request: Request, limited: RateLimited) -> Response:
    body = {"error": "rate_limited", "message": str(limited)}
    response = _page(request, "public/refused.html", {"body": body}, 429)
    response.headers["Retry-After"] = str(limited.retry_after)
    return response


def _resolve(request: Request, token: str) -> codes_pb2.ResolveTokenResponse:
    # Never record_scan: the gateway counts scans itself (gateway.public.scans).
    clients = clients_of(request.app.state)
    request_in = codes_pb2.ResolveTokenRequest(token=token)
    found: codes_pb2.ResolveTokenResponse = clients.codes.ResolveToken(
        request_in, metadata=clients.metadata(), timeout=CALL_TIMEOUT
    )
    return found


# The code page's path, also matched before routing by gateway.public.fresh.
CODE_PAGE_PATH = "/c/{token}"


def headless(response: Response) -> Response:
    """HEAD's answer: the same status and headers as GET's (Content-Length included), no body."""
    bodiless = Response(status_code=response.status_code)
    bodiless.raw_headers = list(response.raw_headers)
    return bodiless


@router.get(CODE_PAGE_PATH, response_class=JSONResponse, responses=CODE_PAGE_RESPONSES)
async def code_page(token: str, request: Request) -> Response:
    """The public page a scanned code opens: live status (HTML, or JSON with Accept: application/json)."""
    return await _serve(token, request, record_scan=True)


# HEAD is routed on its own, left out of the document (one operation per method and path there).
@router.head(CODE_PAGE_PATH, include_in_schema=False)
async def code_page_head(token: str, request: Request) -> Response:
    """The same status and headers as GET, without a body; not counted as a scan."""
    return headless(await _serve(token, request, record_scan=False))


def _anonymous(request: Request) -> bool:
    return "authorization" not in request.headers and operators.SESSION_COOKIE not in request.cookies


def answer_fresh(request: Request, token: str, *, record_scan: bool) -> Response | None:
    """The public's answer when the caller is anonymous and the token's status is fresh and valid
    (the request counted against the rate limit: the page, or 429); None otherwise, nothing counted.

    Runs on the event loop without a thread or a call; also before routing (gateway.public.fresh)."""
    known = request.app.state.live_status.fresh(token) if _anonymous(request) else None
    if known is None or known.found.verdict != codes_pb2.TOKEN_VERDICT_VALID:
        return None
    try:
        hit_public(request)
    except RateLimited as limited:
        return _too_many(request, limited)
    return _public(request, known, token, record_scan=record_scan)


async def _serve(token: str, request: Request, *, record_scan: bool) -> Response:
    """Answer from what is known when it is fresh and the caller is the public (no thread, no call);
    otherwise ask the services in a worker thread."""
    fresh = answer_fresh(request, token, record_scan=record_scan)
    if fresh is not None:
        return fresh
    try:
        hit_public(request)
    except RateLimited as limited:
        return _too_many(request, limited)
    return await run_in_threadpool(_code_page, token, request, record_scan=record_scan)


def _count(request: Request, known: Known) -> None:
    scans: ScanCounter = request.app.state.scans
    scans.add(known.found.status.uscc, local_day(datetime.now(UTC)))


def _public(request: Request, known: Known, token: str, *, record_scan: bool) -> Response:
    """The public's page for a fresh, valid status, from its rendering made once."""
    if record_scan:
        _count(request, known)
    content, media_type = page.public_answer(known, token, as_json=_wants_json(request))
    if media_type == page.HTML:
        content = page.with_nonce(content, request.state.csp_nonce)
    return Response(content, media_type=media_type, headers={"Vary": VARY})


def _ask(request: Request, token: str) -> Known:
    """Resolve the token (the gateway counts scans itself) and build its public view."""
    found = _resolve(request, token)
    view: dict[str, Any] = {}
    if found.verdict == codes_pb2.TOKEN_VERDICT_VALID:
        view = {**status_view(found.status), **enforcement_view(request, found.status.uscc)}
    return Known(found, view, time.monotonic(), datetime.now(UTC))


def _code_page(token: str, request: Request, *, record_scan: bool) -> Response:
    live: LiveStatus = request.app.state.live_status
    try:
        answer = live.get(token, lambda: _ask(request, token))
    except grpc.RpcError:
        return _unavailable(request, "the enterprise's status")
    known = answer.known
    if known.found.verdict != codes_pb2.TOKEN_VERDICT_VALID:
        return _refusal(request, known.found.verdict, known.found.detail)
    officer = operators.optional(request)
    if officer is None and answer.stale_seconds is None:
        return _public(request, known, token, record_scan=record_scan)
    if record_scan:
        _count(request, known)
    shown = page.body(known, token, answer.stale_seconds)
    record = full_record(request, known.found.status.uscc) if officer and may_read_records(officer) else None
    # A grid commissioner sees the record of an enterprise in their area only; elsewhere, the public page.
    internal = (
        officer is not None
        and record is not None
        and (officer.role != GRID_COMMISSIONER or in_area(officer, record))
    )
    if internal and record is not None:
        shown["full_record"] = f"/api/v1/enterprises/{known.found.status.uscc}"
        shown["internal"] = record
    response = _page(request, "public/code.html", page.context(shown, token, officer), 200)
    # The same URL answers differently per caller: never let a shared cache hand one to another.
    response.headers["Vary"] = VARY
    if internal:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _submit(request: Request, petition: enforcement_pb2.SubmitPetitionRequest) -> enforcement_pb2.Petition:
    clients = clients_of(request.app.state)
    filed: enforcement_pb2.Petition = clients.enforcement.SubmitPetition(
        petition, metadata=clients.metadata(), timeout=CALL_TIMEOUT
    )
    return filed


@router.post(
    "/c/{token}/petitions",
    response_class=JSONResponse,
    status_code=201,
    responses=PETITION_RESPONSES,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["category", "text"],
                        "properties": {
                            "category": {"type": "string", "enum": list(CATEGORIES)},
                            "text": {"type": "string", "minLength": TEXT_MIN, "maxLength": TEXT_MAX},
                            "contact": {"type": "string", "maxLength": CONTACT_MAX},
                            "lat": {"type": "string"},
                            "lon": {"type": "string"},
                        },
                    }
                }
            },
        }
    },
)
async def submit_petition(token: str, request: Request) -> Response:
    """File a petition about the enterprise of a code ("report a problem"); enforcement owns it."""
    try:
        hit_public(request)
        petition = petition_in(await read_form(request))
        found = await run_in_threadpool(_resolve, request, token)
        if found.verdict != codes_pb2.TOKEN_VERDICT_VALID:
            return _refusal(request, found.verdict, found.detail)
        petition.uscc = found.status.uscc
        filed = await run_in_threadpool(_submit, request, petition)
    except RateLimited as limited:
        return _too_many(request, limited)
    except InvalidArgument as bad:
        refused = {"error": "INVALID_ARGUMENT", "field": bad.field, "message": bad.message}
        return _page(request, "public/petition.html", {"body": refused, "token": token}, 400)
    except grpc.RpcError as error:
        if error.code() not in INTAKE_DOWN:  # type: ignore[attr-defined]
            raise
        message = f"petition intake is not available right now; call {HOTLINE}"
        return _page(
            request, "public/petition.html", {"body": {"error": "unavailable", "message": message}}, 503
        )
    body = {
        "tracking_code": filed.tracking_code,
        "track_url": f"/petitions/track/{filed.tracking_code}",
        "received_at": iso(filed.received_at),
        "accept_due_at": iso(filed.accept_due_at),
        "message": "received; the bureau decides within 15 days whether to accept it (信访工作条例, 2022)",
    }
    return _page(request, "public/petition.html", {"body": body, "token": token}, 201)
