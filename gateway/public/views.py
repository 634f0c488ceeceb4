"""What the public code page shows: the code service's public status and enforcement's [public] facts.

Pure formatting of protobuf replies into the page's JSON, plus the live calls to enforcement. A figure
whose owner does not answer is marked unavailable, never shown as zero or "none".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import grpc
from fastapi import Request
from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import codes_pb2, common_pb2, enforcement_pb2
from gateway.clients import clients_of
from gateway.public import names
from shared.china_time import CHINA_TIME, local_iso

CALL_TIMEOUT = 3.0
# Pages followed per list: a figure cut short would mislead more than a slow page.
MAX_PAGES = 10
INSPECTION_OUTCOMES = {
    enforcement_pb2.INSPECTION_OUTCOME_COMPLIANT: "compliant",
    enforcement_pb2.INSPECTION_OUTCOME_VIOLATION: "violation",
    enforcement_pb2.INSPECTION_OUTCOME_NOT_OPERATING: "not_operating",
}


def iso(ts: Timestamp | None) -> str | None:
    """Local (China) ISO time of a set timestamp; None when unset (unknown is not "now")."""
    if ts is None or (ts.seconds == 0 and ts.nanos == 0):
        return None
    return local_iso(ts.ToDatetime(tzinfo=UTC))


def freshness(stamps: Iterable[Timestamp], now: datetime) -> dict[str, str]:
    """How fresh a figure is: the latest time among the items shown ("as_of"), or, with none to
    show, the time the owner answered, labelled so ("checked_at": nothing was there to date)."""
    latest = max((ts.ToDatetime(tzinfo=UTC) for ts in stamps if ts.seconds or ts.nanos), default=None)
    if latest is None:
        return {"as_of": local_iso(now), "as_of_kind": "checked_at"}
    return {"as_of": local_iso(latest), "as_of_kind": "latest_item"}


def day(value: common_pb2.Date) -> str | None:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}" if value.year else None


def status_view(status: codes_pb2.PublicStatus) -> dict[str, Any]:
    """The code service's part: profile, credit, permit, each with the time of its fact."""
    permit: dict[str, Any] = {"state": "none", "as_of": None}
    if status.HasField("permit"):
        p = status.permit
        permit = {
            "state": names.permit_state(p.state),
            "number": p.permit_number,
            "class": names.permit_class(p.permit_class),
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
            "level": names.credit_level(status.credit_level),
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


def inspection(tasks: list[enforcement_pb2.InspectionTask], now: datetime) -> dict[str, Any]:
    """The last published inspection result, dated by when it was published."""
    published = [t for t in tasks if t.status == enforcement_pb2.INSPECTION_TASK_STATUS_PUBLISHED]
    if not published:
        return {"available": True, **freshness([], now), "date": None, "outcome": None}
    last = max(published, key=lambda t: (t.result.inspected_at.seconds, t.published_at.seconds))
    return {
        "available": True,
        **freshness([last.published_at], now),
        "date": (iso(last.result.inspected_at) or "")[:10] or None,
        "outcome": INSPECTION_OUTCOMES.get(last.result.outcome, "unspecified"),
        "published_at": iso(last.published_at),
    }


def decisions(cases: list[enforcement_pb2.Case], now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """Open rectifications (decided, not yet rectified) and penalties decided in the last 3 years."""
    local = now.astimezone(CHINA_TIME)
    # The same calendar day three years back (28 February for a 29 February).
    day = min(local.day, 28) if local.month == 2 else local.day
    since = local.replace(year=local.year - 3, day=day, hour=0, minute=0, second=0, microsecond=0)
    open_cases = [c for c in cases if c.stage == enforcement_pb2.CASE_STAGE_DECIDED]
    penalised = [
        c
        for c in cases
        if c.HasField("decision")
        and not c.decision.waived
        and c.decision.decided_at.ToDatetime(tzinfo=UTC) >= since
    ]
    open_items = [
        {"case_number": c.case_number, "title": c.title, "rectify_by": iso(c.decision.rectify_by)}
        for c in open_cases
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
        for c in penalised
    ]
    # An open rectification is as fresh as its case's last change; a penalty as its decision.
    rectified_as_of = freshness(
        [c.updated_at if c.HasField("updated_at") else c.decision.decided_at for c in open_cases], now
    )
    return (
        {"available": True, **rectified_as_of, "count": len(open_items), "items": open_items},
        {
            "available": True,
            **freshness([c.decision.decided_at for c in penalised], now),
            "since": since.date().isoformat(),
            "count": len(penalties),
            "items": penalties,
        },
    )


def _all_pages(call: Callable[..., Any], first: Any, request: Any, **kwargs: Any) -> list[Any]:
    """The first answer's items and those of the pages after it (up to MAX_PAGES in all)."""
    field = "tasks" if isinstance(first, enforcement_pb2.ListInspectionTasksResponse) else "cases"
    response, items = first, list(getattr(first, field))
    for _ in range(MAX_PAGES - 1):
        if not response.page.next_page_token:
            break
        request.page.page_token = response.page.next_page_token
        response = call(request, **kwargs)
        items.extend(getattr(response, field))
    return items


def enforcement_view(request: Request, uscc: str) -> dict[str, Any]:
    """Inspections, rectifications and penalties from enforcement, asked live and in parallel."""
    clients = clients_of(request.app.state)
    stub = clients.enforcement
    call = {"metadata": clients.metadata(), "timeout": CALL_TIMEOUT}
    tasks_request = enforcement_pb2.ListInspectionTasksRequest(
        uscc=uscc,
        status=enforcement_pb2.INSPECTION_TASK_STATUS_PUBLISHED,
        page=common_pb2.PageRequest(page_size=100),
    )
    tasks_call = stub.ListInspectionTasks.future(tasks_request, **call)
    decided = [
        enforcement_pb2.CASE_STAGE_DECIDED,
        enforcement_pb2.CASE_STAGE_RECTIFIED,
        enforcement_pb2.CASE_STAGE_CLOSED,
    ]
    cases_request = enforcement_pb2.ListCasesRequest(
        uscc=uscc, stages=decided, page=common_pb2.PageRequest(page_size=100)
    )
    cases_call = stub.ListCases.future(cases_request, **call)
    view: dict[str, Any] = {}
    try:
        tasks = _all_pages(stub.ListInspectionTasks, tasks_call.result(), tasks_request, **call)
        view["last_inspection"] = inspection(tasks, datetime.now(UTC))
    except grpc.RpcError as error:
        view["last_inspection"] = _not_answered(error)
    try:
        cases = _all_pages(stub.ListCases, cases_call.result(), cases_request, **call)
        view["open_rectifications"], view["penalties_last_3_years"] = decisions(cases, datetime.now(UTC))
    except grpc.RpcError as error:
        view["open_rectifications"] = view["penalties_last_3_years"] = _not_answered(error)
    return view
