"""What the public code page shows: the code service's public status and enforcement's [public] facts.

Pure formatting of protobuf replies into the page's JSON, plus the live calls to enforcement. A figure
whose owner does not answer is marked unavailable, never shown as zero or "none".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import grpc
from fastapi import Request
from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import codes_pb2, common_pb2, enforcement_pb2, enforcement_pb2_grpc

CHINA_TIME = timezone(timedelta(hours=8), "Asia/Shanghai")  # no daylight saving since 1991
CALL_TIMEOUT = 3.0

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


def iso(ts: Timestamp | None) -> str | None:
    """Local (China) ISO time of a set timestamp; None when unset (unknown is not "now")."""
    if ts is None or (ts.seconds == 0 and ts.nanos == 0):
        return None
    return ts.ToDatetime(tzinfo=UTC).astimezone(CHINA_TIME).isoformat(timespec="seconds")


def day(value: common_pb2.Date) -> str | None:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}" if value.year else None


def status_view(status: codes_pb2.PublicStatus) -> dict[str, Any]:
    """The code service's part: profile, credit, permit, each with the time of its fact."""
    permit: dict[str, Any] = {"state": "none", "as_of": None}
    if status.HasField("permit"):
        p = status.permit
        permit = {
            "state": PERMIT_STATES.get(p.state, "none"),
            "number": p.permit_number,
            "class": PERMIT_CLASSES.get(p.permit_class, ""),
            "valid_from": day(p.valid_from),
            "valid_to": day(p.valid_to),
            "as_of": iso(p.as_of),
        }
    return {
        "uscc": status.uscc,
        "name": status.name,
        "town": status.town,
        "industry": {"code": status.industry, "section": status.industry_section},
        "profile_as_of": iso(status.profile_as_of),
        "credit": {
            "level": CREDIT_LEVELS.get(status.credit_level, "unspecified"),
            "colour": status.credit_colour,
            "label": status.credit_label,
            "meaning": status.credit_meaning,
            "as_of": iso(status.credit_as_of),
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
        "date": (iso(last.result.inspected_at) or "")[:10] or None,
        "outcome": INSPECTION_OUTCOMES.get(last.result.outcome, "unspecified"),
        "published_at": iso(last.published_at),
    }


def decisions(cases: list[enforcement_pb2.Case], now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """Open rectifications (decided, not yet rectified) and penalties decided in the last 3 years."""
    local = now.astimezone(CHINA_TIME)
    stamp = local.isoformat(timespec="seconds")
    # The same calendar day three years back (28 February for a 29 February).
    day = min(local.day, 28) if local.month == 2 else local.day
    since = local.replace(year=local.year - 3, day=day, hour=0, minute=0, second=0, microsecond=0)
    open_items = [
        {"case_number": c.case_number, "title": c.title, "rectify_by": iso(c.decision.rectify_by)}
        for c in cases
        if c.stage == enforcement_pb2.CASE_STAGE_DECIDED
    ]
    penalties = [
        {
            "document_number": c.decision.document_number,
            "decided_at": iso(c.decision.decided_at),
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


def enforcement_view(request: Request, uscc: str) -> dict[str, Any]:
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
        view["open_rectifications"], view["penalties_last_3_years"] = decisions(cases, now)
    except grpc.RpcError as error:
        view["open_rectifications"] = view["penalties_last_3_years"] = _not_answered(error)
    return view
