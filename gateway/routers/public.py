"""The public code page (GET /c/{token}) and its "report a problem" form (POST /c/{token}/petitions).

Public routes: no account needed, rate-limited per client (gateway.ratelimit). The page shows only
public fields: the code service's public status (profile, live credit and permit) and the [public]
fields of enforcement's inspections and decisions. A figure whose owner does not answer is shown
as unavailable, never as zero or "none". Officers with a record-reading role also get a link to
the full record.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import grpc
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from fastapi.templating import Jinja2Templates
from google.protobuf.timestamp_pb2 import Timestamp
from starlette.concurrency import run_in_threadpool

from eco.v1 import codes_pb2, codes_pb2_grpc, common_pb2, enforcement_pb2, enforcement_pb2_grpc
from gateway import operators
from gateway.ratelimit import RateLimited, hit_public
from shared.errors import InvalidArgument

router = APIRouter(tags=["public"])
TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
CHINA_TIME = timezone(timedelta(hours=8), "Asia/Shanghai")  # no daylight saving since 1991
HOTLINE = "12369"  # the national ecological-environment complaints hotline (12369 环保举报热线)
CALL_TIMEOUT = 3.0

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
PERMIT_STATES = {
    codes_pb2.PERMIT_STATE_VALID: "valid",
    codes_pb2.PERMIT_STATE_EXPIRED: "expired",
    codes_pb2.PERMIT_STATE_REVOKED: "revoked",
    codes_pb2.PERMIT_STATE_SUSPENDED: "suspended",
}
PERMIT_CLASSES = {
    common_pb2.PERMIT_CLASS_KEY: "key",
    common_pb2.PERMIT_CLASS_SIMPLIFIED: "simplified",
    common_pb2.PERMIT_CLASS_REGISTRATION: "registration",
}
CREDIT_LEVELS = {
    number: name.removeprefix("CREDIT_LEVEL_").lower() for name, number in common_pb2.CreditLevel.items()
}
INSPECTION_OUTCOMES = {
    enforcement_pb2.INSPECTION_OUTCOME_COMPLIANT: "compliant",
    enforcement_pb2.INSPECTION_OUTCOME_VIOLATION: "violation",
    enforcement_pb2.INSPECTION_OUTCOME_NOT_OPERATING: "not_operating",
}
# The problem-ledger vocabulary of enforcement.proto (Problem.category), with labels for the form.
CATEGORIES = {
    "water": "水污染 water",
    "air": "大气污染 air",
    "noise": "噪声 noise",
    "solid_waste": "固体废物 solid waste",
    "soil": "土壤 soil",
    "radiation": "辐射 radiation",
    "ecology": "生态破坏 ecology",
    "other": "其他 other",
}
TEXT_MIN, TEXT_MAX, CONTACT_MAX = 10, 1000, 100
CONTACT_FORMS = (
    re.compile(r"1[3-9]\d{9}"),  # mainland mobile number
    re.compile(r"0\d{2,3}-?\d{7,8}"),  # landline with area code
    re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+"),  # e-mail
)
INTAKE_DOWN = (grpc.StatusCode.UNIMPLEMENTED, grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _iso(ts: Timestamp | None) -> str | None:
    """Local (China) ISO time of a set timestamp; None when unset (unknown is not "now")."""
    if ts is None or (ts.seconds == 0 and ts.nanos == 0):
        return None
    return ts.ToDatetime(tzinfo=UTC).astimezone(CHINA_TIME).isoformat(timespec="seconds")


def _day(value: common_pb2.Date) -> str | None:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}" if value.year else None


def _page(request: Request, template: str, context: dict[str, Any], status: int) -> Response:
    if _wants_json(request):
        return JSONResponse(context["body"], status_code=status)
    return TEMPLATES.TemplateResponse(request, template, {**context, "hotline": HOTLINE}, status_code=status)


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


def _resolve(request: Request, token: str, *, record_scan: bool) -> codes_pb2.ResolveTokenResponse:
    clients = request.app.state.clients
    stub = clients.stub("codes", codes_pb2_grpc.CodesServiceStub)
    request_in = codes_pb2.ResolveTokenRequest(token=token, record_scan=record_scan)
    return stub.ResolveToken(request_in, metadata=clients.metadata(), timeout=CALL_TIMEOUT)  # type: ignore[no-any-return]


def _status_view(status: codes_pb2.PublicStatus) -> dict[str, Any]:
    """The code service's part: profile, credit, permit, each with the time of its fact."""
    permit: dict[str, Any] = {"state": "none", "as_of": None}
    if status.HasField("permit"):
        p = status.permit
        permit = {
            "state": PERMIT_STATES.get(p.state, "none"),
            "number": p.permit_number,
            "class": PERMIT_CLASSES.get(p.permit_class, ""),
            "valid_from": _day(p.valid_from),
            "valid_to": _day(p.valid_to),
            "as_of": _iso(p.as_of),
        }
    return {
        "uscc": status.uscc,
        "name": status.name,
        "town": status.town,
        "industry": {"code": status.industry, "section": status.industry_section},
        "profile_as_of": _iso(status.profile_as_of),
        "credit": {
            "level": CREDIT_LEVELS.get(status.credit_level, "unspecified"),
            "colour": status.credit_colour,
            "label": status.credit_label,
            "meaning": status.credit_meaning,
            "as_of": _iso(status.credit_as_of),
        },
        "permit": permit,
        "code_version": status.code_version,
    }


def _not_answered(error: grpc.RpcError) -> dict[str, Any]:
    code = error.code()  # type: ignore[attr-defined]
    reason = (
        "not provided by the enforcement service yet"
        if code == grpc.StatusCode.UNIMPLEMENTED
        else ("the enforcement service did not answer")
    )
    return {"available": False, "reason": reason, "as_of": None}


def _inspection(tasks: enforcement_pb2.ListInspectionTasksResponse, now: str) -> dict[str, Any]:
    published = [t for t in tasks.tasks if t.status == enforcement_pb2.INSPECTION_TASK_STATUS_PUBLISHED]
    if not published:
        return {"available": True, "as_of": now, "date": None, "outcome": None}
    last = max(published, key=lambda t: (t.result.inspected_at.seconds, t.published_at.seconds))
    return {
        "available": True,
        "as_of": now,
        "date": (_iso(last.result.inspected_at) or "")[:10] or None,
        "outcome": INSPECTION_OUTCOMES.get(last.result.outcome, "unspecified"),
        "published_at": _iso(last.published_at),
    }


def _decisions(cases: list[enforcement_pb2.Case], now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """Open rectifications (decided, not yet rectified) and penalties decided in the last 3 years."""
    local = now.astimezone(CHINA_TIME)
    stamp = local.isoformat(timespec="seconds")
    # The same calendar day three years back (28 February for a 29 February).
    day = min(local.day, 28) if local.month == 2 else local.day
    since = local.replace(year=local.year - 3, day=day, hour=0, minute=0, second=0, microsecond=0)
    open_items = [
        {"case_number": c.case_number, "title": c.title, "rectify_by": _iso(c.decision.rectify_by)}
        for c in cases
        if c.stage == enforcement_pb2.CASE_STAGE_DECIDED
    ]
    penalties = [
        {
            "document_number": c.decision.document_number,
            "decided_at": _iso(c.decision.decided_at),
            "violation": c.decision.violation,
            "legal_basis": c.decision.legal_basis,
            "penalties": [
                enforcement_pb2.PenaltyKind.Name(k).removeprefix("PENALTY_KIND_").lower()
                for k in c.decision.penalties
            ],
            "fine_yuan": c.decision.fine_fen / 100,
        }
        for c in cases
        if c.HasField("decision")
        and not c.decision.waived
        and c.decision.decided_at.ToDatetime(tzinfo=UTC) >= since
    ]
    return (
        {"available": True, "as_of": stamp, "count": len(open_items), "items": open_items},
        {
            "available": True,
            "as_of": stamp,
            "since": since.date().isoformat(),
            "count": len(penalties),
            "items": penalties,
        },
    )


def _enforcement_view(request: Request, uscc: str) -> dict[str, Any]:
    """Inspections, rectifications and penalties from enforcement, asked live and in parallel."""
    clients = request.app.state.clients
    stub = clients.stub("enforcement", enforcement_pb2_grpc.EnforcementServiceStub)
    metadata, page = clients.metadata(), common_pb2.PageRequest(page_size=100)
    tasks_call = stub.ListInspectionTasks.future(
        enforcement_pb2.ListInspectionTasksRequest(
            uscc=uscc, status=enforcement_pb2.INSPECTION_TASK_STATUS_PUBLISHED, page=page
        ),
        metadata=metadata,
        timeout=CALL_TIMEOUT,
    )
    decided = [
        enforcement_pb2.CASE_STAGE_DECIDED,
        enforcement_pb2.CASE_STAGE_RECTIFIED,
        enforcement_pb2.CASE_STAGE_CLOSED,
    ]
    cases_request = enforcement_pb2.ListCasesRequest(uscc=uscc, stages=decided, page=page)
    cases_call = stub.ListCases.future(cases_request, metadata=metadata, timeout=CALL_TIMEOUT)
    now = datetime.now(UTC)
    view: dict[str, Any] = {}
    try:
        view["last_inspection"] = _inspection(
            tasks_call.result(), now.astimezone(CHINA_TIME).isoformat(timespec="seconds")
        )
    except grpc.RpcError as error:
        view["last_inspection"] = _not_answered(error)
    try:
        response = cases_call.result()
        cases = list(response.cases)
        # Follow further pages: a penalty list cut short would mislead more than a slow page.
        for _ in range(9):
            if not response.page.next_page_token:
                break
            cases_request.page.page_token = response.page.next_page_token
            response = stub.ListCases(cases_request, metadata=metadata, timeout=CALL_TIMEOUT)
            cases.extend(response.cases)
        view["open_rectifications"], view["penalties_last_3_years"] = _decisions(cases, now)
    except grpc.RpcError as error:
        view["open_rectifications"] = view["penalties_last_3_years"] = _not_answered(error)
    return view


@router.get("/c/{token}", response_model=None)
def code_page(token: str, request: Request) -> Response:
    """The public page a scanned code opens: live status (HTML, or JSON with Accept: application/json)."""
    try:
        hit_public(request)
    except RateLimited as limited:
        return _too_many(request, limited)
    try:
        found = _resolve(request, token, record_scan=True)
    except grpc.RpcError:
        return _unavailable(request, "the enterprise's status")
    if found.verdict != codes_pb2.TOKEN_VERDICT_VALID:
        return _refusal(request, found.verdict, found.detail)
    body = {**_status_view(found.status), **_enforcement_view(request, found.status.uscc)}
    body["report_problem"] = {"url": f"/c/{token}/petitions", "categories": CATEGORIES, "hotline": HOTLINE}
    officer = operators.optional(request)
    if officer is not None and officer.role in operators.RECORD_READERS:
        body["full_record"] = f"/api/v1/enterprises/{found.status.uscc}"
    return _page(request, "public/code.html", {"body": body, "token": token}, 200)


async def _form(request: Request) -> dict[str, str]:
    """The submitted fields, from a browser form (urlencoded) or JSON."""
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            raise InvalidArgument("body", "is not valid JSON") from None
        if not isinstance(data, dict):
            raise InvalidArgument("body", "must be a JSON object")
        return {str(k): "" if v is None else str(v) for k, v in data.items()}
    return dict(parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True))


def petition_in(data: dict[str, str]) -> enforcement_pb2.SubmitPetitionRequest:
    """A SubmitPetitionRequest (without the enterprise) from the form; InvalidArgument naming the field."""
    category = data.get("category", "").strip()
    if category not in CATEGORIES:
        raise InvalidArgument("category", f"must be one of {', '.join(CATEGORIES)}")
    text = data.get("text", "").strip()
    if not TEXT_MIN <= len(text) <= TEXT_MAX:
        raise InvalidArgument("text", f"must be {TEXT_MIN} to {TEXT_MAX} characters, got {len(text)}")
    if any(ord(c) < 32 and c not in "\n\r\t" for c in text):
        raise InvalidArgument("text", "must not contain control characters")
    request = enforcement_pb2.SubmitPetitionRequest(source="code_page", category=category, text=text)
    contact = data.get("contact", "").strip()
    if contact:
        if len(contact) > CONTACT_MAX or not any(form.fullmatch(contact) for form in CONTACT_FORMS):
            raise InvalidArgument(
                "contact", "must be a mobile number, a landline with area code, or an e-mail address"
            )
        request.contact = contact
    lat, lon = data.get("lat", "").strip(), data.get("lon", "").strip()
    if lat or lon:
        request.location.CopyFrom(
            common_pb2.GeoPoint(lat=_degrees(lat, "lat", 90), lon=_degrees(lon, "lon", 180))
        )
    return request


def _degrees(raw: str, field: str, limit: float) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise InvalidArgument(
            field, "must be a number of WGS84 degrees (give both lat and lon, or neither)"
        ) from None
    if not -limit <= value <= limit:  # also refuses nan and infinities
        raise InvalidArgument(field, f"must be between -{limit:g} and {limit:g} degrees")
    return value


def _submit(request: Request, petition: enforcement_pb2.SubmitPetitionRequest) -> enforcement_pb2.Petition:
    clients = request.app.state.clients
    stub = clients.stub("enforcement", enforcement_pb2_grpc.EnforcementServiceStub)
    return stub.SubmitPetition(petition, metadata=clients.metadata(), timeout=CALL_TIMEOUT)  # type: ignore[no-any-return]


@router.post("/c/{token}/petitions", response_model=None)
async def submit_petition(token: str, request: Request) -> Response:
    """File a petition about the enterprise of a code ("report a problem"); enforcement owns it."""
    try:
        hit_public(request)
        petition = petition_in(await _form(request))
        found = await run_in_threadpool(_resolve, request, token, record_scan=False)
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
        message = f"petition intake is not available yet; call {HOTLINE}"
        return _page(
            request, "public/petition.html", {"body": {"error": "unavailable", "message": message}}, 503
        )
    body = {
        "tracking_code": filed.tracking_code,
        "received_at": _iso(filed.received_at),
        "accept_due_at": _iso(filed.accept_due_at),
        "message": "received; the bureau decides within 15 days whether to accept it (信访工作条例, 2022)",
    }
    return _page(request, "public/petition.html", {"body": body, "token": token}, 201)
