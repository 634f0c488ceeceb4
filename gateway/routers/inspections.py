"""The public side of double-random inspections (一公开): published draws with their seed, inputs and
selection (anyone can re-run them with services/enforcement/verifier/verify_draw.py), and published
results. No account needed; rate-limited like the code page; [public] fields only."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from eco.v1 import common_pb2, enforcement_pb2
from gateway.clients import clients_of
from gateway.contract import Out
from gateway.errors import API_ERRORS
from gateway.public.views import INSPECTION_OUTCOMES, iso
from gateway.ratelimit import RateLimited, hit_public

router = APIRouter(
    prefix="/public/inspections",
    tags=["public"],
    responses={**API_ERRORS, 429: {"description": "Too many requests from this client"}},
)
CALL_TIMEOUT = 10.0
pb = enforcement_pb2


class DrawOut(Out):
    """A published draw: the document the standalone verifier reads, and when it was made."""

    draw_id: str
    plan_id: str
    drawn_at: str | None
    algorithm: str
    seed: str
    inputs_sha256: str
    published: dict[str, Any]


class DrawPage(Out):
    """One page of draws."""

    draws: list[DrawOut]
    next_page_token: str
    total: int


class ResultOut(Out):
    """A published inspection result."""

    task_id: str
    draw_id: str
    uscc: str
    outcome: str
    findings: str
    inspected_at: str | None
    published_at: str | None


class ResultPage(Out):
    """One page of published results."""

    results: list[ResultOut]
    next_page_token: str
    total: int


def too_many(limited: RateLimited) -> JSONResponse:
    """The 429 of a public route, with Retry-After."""
    body = {"error": "rate_limited", "message": str(limited)}
    return JSONResponse(body, status_code=429, headers={"Retry-After": str(limited.retry_after)})


def _call(request: Request, method: str, message: Any) -> Any:
    clients = clients_of(request.app.state)
    return getattr(clients.enforcement, method)(message, metadata=clients.metadata(), timeout=CALL_TIMEOUT)


def draw_out(d: pb.Draw) -> dict[str, Any]:
    """A draw's public fields; the published document as recorded (exclusions are not public)."""
    return {
        "draw_id": d.draw_id,
        "plan_id": d.plan_id,
        "drawn_at": iso(d.drawn_at),
        "algorithm": d.algorithm,
        "seed": d.seed,
        "inputs_sha256": d.inputs_sha256,
        "published": json.loads(d.published_json or "{}"),
    }


def result_out(t: pb.InspectionTask) -> dict[str, Any]:
    """A task's public result."""
    return {
        "task_id": t.task_id,
        "draw_id": t.draw_id,
        "uscc": t.uscc,
        "outcome": INSPECTION_OUTCOMES.get(t.result.outcome, "unspecified"),
        "findings": t.result.findings,
        "inspected_at": iso(t.result.inspected_at),
        "published_at": iso(t.published_at),
    }


@router.get("/draws", response_model=DrawPage)
async def list_draws(
    request: Request,
    plan_id: str = "",
    page_size: int = Query(20, ge=1, le=100),
    page_token: str = "",
) -> Any:
    """Published draws: seed, inputs and selection, each reproducible by anyone."""
    try:
        hit_public(request)
    except RateLimited as limited:
        return too_many(limited)
    message = pb.ListDrawsRequest(
        plan_id=plan_id, page=common_pb2.PageRequest(page_size=page_size, page_token=page_token)
    )
    found = await run_in_threadpool(_call, request, "ListDraws", message)
    return {
        "draws": [draw_out(d) for d in found.draws],
        "next_page_token": found.page.next_page_token,
        "total": found.page.total,
    }


@router.get("/draws/{draw_id}", response_model=DrawOut)
async def get_draw(draw_id: str, request: Request) -> Any:
    """One published draw."""
    try:
        hit_public(request)
    except RateLimited as limited:
        return too_many(limited)
    found = await run_in_threadpool(_call, request, "GetDraw", pb.GetDrawRequest(draw_id=draw_id[:64]))
    return draw_out(found)


@router.get("/results", response_model=ResultPage)
async def list_results(
    request: Request,
    draw_id: str = "",
    uscc: str = "",
    page_size: int = Query(50, ge=1, le=500),
    page_token: str = "",
) -> Any:
    """Published inspection results (一公开)."""
    try:
        hit_public(request)
    except RateLimited as limited:
        return too_many(limited)
    message = pb.ListInspectionTasksRequest(
        draw_id=draw_id,
        uscc=uscc,
        status=pb.INSPECTION_TASK_STATUS_PUBLISHED,
        page=common_pb2.PageRequest(page_size=page_size, page_token=page_token),
    )
    found = await run_in_threadpool(_call, request, "ListInspectionTasks", message)
    return {
        "results": [result_out(t) for t in found.tasks],
        "next_page_token": found.page.next_page_token,
        "total": found.page.total,
    }
