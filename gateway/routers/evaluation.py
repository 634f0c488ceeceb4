"""Operators' routes for evaluation: enterprise credit with its explanation and history, credit repair,
KPIs, scorecards, hotspots and the environmental status report (HTML and PDF).

Every figure is the evaluation service's (EvaluationService over gRPC); its refusals come back as HTTP
with the same message. Dates are local (China) calendar days, YYYY-MM-DD.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from eco.v1 import common_pb2, evaluation_pb2, evaluation_pb2_grpc
from gateway import operators
from gateway.clients import clients_of
from gateway.errors import API_ERRORS
from gateway.routers import evaluation_out as out
from shared import paging
from shared.errors import InvalidArgument

router = APIRouter(prefix="/api/v1", tags=["evaluation"], responses=API_ERRORS)
CALL_TIMEOUT = 10.0
# Rendering charts into a PDF takes longer than a look-up.
REPORT_TIMEOUT = 60.0
# Anyone signed in may read figures; entering a repair request is the bureau's staff's act, deciding
# it the bureau's (an administrator's).
READERS = operators.ROLES
REPAIR_CLERKS = ("admin", "dispatcher")
REPAIR_DECIDERS = ("admin",)
SUBJECT_KINDS = ("town", "department")
DIMENSIONS = ("grid", "town", "industry", "pollutant", "category", "month")

Reader = Annotated[operators.Operator, Depends(operators.require(*READERS))]
Clerk = Annotated[operators.Operator, Depends(operators.require(*REPAIR_CLERKS))]
Decider = Annotated[operators.Operator, Depends(operators.require(*REPAIR_DECIDERS))]

DAY = "A local (China) date, YYYY-MM-DD"
FromQuery = Annotated[str, Query(alias="from", description=f"Period start. {DAY}; default 1 January")]
ToQuery = Annotated[str, Query(description=f"Period end. {DAY}; default today")]
PageSize = Annotated[int, Query(ge=1, le=paging.MAX_PAGE_SIZE)]


def _stub(request: Request) -> tuple[evaluation_pb2_grpc.EvaluationServiceStub, dict[str, Any]]:
    """The evaluation service's stub and the keyword arguments of a call on the gateway's behalf."""
    clients = clients_of(request.app.state)
    return clients.evaluation, {"metadata": clients.metadata(), "timeout": CALL_TIMEOUT}


def date_in(value: str, field: str) -> common_pb2.Date | None:
    """A query's YYYY-MM-DD as a contract Date (None when empty); InvalidArgument naming the field."""
    if not value:
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise InvalidArgument(field, f"must be a date YYYY-MM-DD, got {value!r}") from None
    return common_pb2.Date(year=parsed.year, month=parsed.month, day=parsed.day)


def _period(message: Any, start: str, end: str) -> Any:
    """Set a request's `from` and `to` (a Python keyword, hence getattr)."""
    if (first := date_in(start, "from")) is not None:
        getattr(message, "from").CopyFrom(first)
    if (last := date_in(end, "to")) is not None:
        message.to.CopyFrom(last)
    return message


def _level(raw: str) -> common_pb2.CreditLevel:
    if not raw:
        return common_pb2.CREDIT_LEVEL_UNSPECIFIED
    found = out.LEVEL_OF.get(raw.strip().lower())
    if found is None:
        raise InvalidArgument("level", f"must be one of {', '.join(out.LEVEL_OF)}, got {raw!r}")
    return cast(common_pb2.CreditLevel, found)


def _page(page_size: int, page_token: str) -> common_pb2.PageRequest:
    return common_pb2.PageRequest(page_size=page_size, page_token=page_token)


# ------------------------------------------------------------------------------------------ credit


@router.get("/enterprises/{uscc}/credit", response_model=out.CreditOut)
def get_credit(uscc: str, request: Request, _: Reader) -> out.CreditOut:
    """The enterprise's credit level, its colour and meaning, since when, and every event that counted
    with its rule and points under the rules version applied."""
    stub, call = _stub(request)
    return out.credit_out(stub.GetCredit(evaluation_pb2.GetCreditRequest(uscc=uscc), **call))


@router.get("/enterprises/{uscc}/credit/history", response_model=out.CreditHistoryOut)
def get_credit_history(uscc: str, request: Request, _: Reader) -> out.CreditHistoryOut:
    """Which level the enterprise had from when, under which rules version (oldest first)."""
    stub, call = _stub(request)
    return out.history_out(stub.GetCreditHistory(evaluation_pb2.GetCreditRequest(uscc=uscc), **call))


@router.get("/credits", response_model=out.CreditPageOut)
def list_credits(
    request: Request,
    _: Reader,
    level: str = Query("", description=f"One of: {', '.join(out.LEVEL_OF)}"),
    town: str = Query("", description="One town or subdistrict, e.g. 浒山"),
    page_size: PageSize = paging.DEFAULT_PAGE_SIZE,
    page_token: str = "",
) -> out.CreditPageOut:
    """Enterprises' credit, by level and town, a page at a time."""
    stub, call = _stub(request)
    reply = stub.ListCredits(
        evaluation_pb2.ListCreditsRequest(level=_level(level), town=town, page=_page(page_size, page_token)),
        **call,
    )
    return out.CreditPageOut(
        credits=[out.credit_out(c) for c in reply.credits],
        next_page_token=reply.page.next_page_token,
        total=reply.page.total,
    )


@router.get("/credit/rules", response_model=out.RulesOut)
def get_credit_rules(
    request: Request, _: Reader, version: str = Query("", description="Empty: the version in force today")
) -> out.RulesOut:
    """The credit point rules of a version, so anyone can check how a level came about."""
    stub, call = _stub(request)
    return out.rules_out(stub.GetCreditRules(evaluation_pb2.GetCreditRulesRequest(version=version), **call))


@router.post(
    "/enterprises/{uscc}/credit/repairs", response_model=out.RepairOut, status_code=status.HTTP_201_CREATED
)
def request_credit_repair(uscc: str, body: out.RepairIn, request: Request, _: Clerk) -> out.RepairOut:
    """Enter an enterprise's credit-repair request (信用修复) for a penalised case whose rectification
    was verified; 409 when the case does not qualify."""
    stub, call = _stub(request)
    message = evaluation_pb2.RequestCreditRepairRequest(uscc=uscc, case_id=body.case_id, reason=body.reason)
    return out.repair_out(stub.RequestCreditRepair(message, **call))


@router.post("/credit/repairs/{request_id}/decision", response_model=out.RepairOut)
def decide_credit_repair(
    request_id: str, body: out.RepairDecisionIn, request: Request, operator: Decider
) -> out.RepairOut:
    """Approve or refuse a credit-repair request; an approval restores the case's points and the
    enterprise is re-rated. The deciding administrator is recorded."""
    stub, call = _stub(request)
    message = evaluation_pb2.DecideCreditRepairRequest(
        request_id=request_id,
        approve=body.approve,
        note=body.note,
        actor=common_pb2.Actor(user=operator.username),
    )
    return out.repair_out(stub.DecideCreditRepair(message, **call))


@router.get("/credit/repairs", response_model=out.RepairPageOut)
def list_credit_repairs(
    request: Request,
    _: Reader,
    uscc: str = "",
    status_: Annotated[
        str, Query(alias="status", description=f"One of: {', '.join(out.REPAIR_STATUS_OF)}")
    ] = "",
    page_size: PageSize = paging.DEFAULT_PAGE_SIZE,
    page_token: str = "",
) -> out.RepairPageOut:
    """Credit-repair requests, by enterprise and status, a page at a time."""
    wanted = evaluation_pb2.CREDIT_REPAIR_STATUS_UNSPECIFIED
    if status_:
        if status_ not in out.REPAIR_STATUS_OF:
            raise InvalidArgument(
                "status", f"must be one of {', '.join(out.REPAIR_STATUS_OF)}, got {status_!r}"
            )
        wanted = out.REPAIR_STATUS_OF[status_]
    stub, call = _stub(request)
    reply = stub.ListCreditRepairs(
        evaluation_pb2.ListCreditRepairsRequest(uscc=uscc, status=wanted, page=_page(page_size, page_token)),
        **call,
    )
    return out.RepairPageOut(
        repairs=[out.repair_out(r) for r in reply.repairs],
        next_page_token=reply.page.next_page_token,
        total=reply.page.total,
    )


# -------------------------------------------------------------------------------------------- KPIs


@router.get("/kpis", response_model=out.KpiListOut, response_model_by_alias=True)
def list_kpis(
    request: Request,
    _: Reader,
    at: Annotated[str, Query(description=f"The date of stock KPIs. {DAY}; default today")] = "",
    from_: FromQuery = "",
    to: ToQuery = "",
    town: str = Query("", description="One town only; empty: the city"),
) -> out.KpiListOut:
    """Every KPI at a date (stock KPIs) and over a period (flow KPIs), each with numerator,
    denominator, target and the newest event it counts."""
    message = _period(evaluation_pb2.ListKpisRequest(town=town), from_, to)
    if (day := date_in(at, "at")) is not None:
        message.at.CopyFrom(day)
    stub, call = _stub(request)
    return out.KpiListOut(kpis=[out.kpi_out(k) for k in stub.ListKpis(message, **call).kpis])


@router.get("/kpis/{name}", response_model=out.KpiOut, response_model_by_alias=True)
def get_kpi(
    name: Annotated[str, Path(examples=["problem_closure_rate"])],
    request: Request,
    _: Reader,
    at: Annotated[str, Query(description=f"The date of a stock KPI. {DAY}; default today")] = "",
    from_: FromQuery = "",
    to: ToQuery = "",
    town: str = Query("", description="One town only; empty: the city"),
) -> out.KpiOut:
    """One KPI at a date or over a period (400 naming `name` for an unknown KPI)."""
    message = _period(evaluation_pb2.GetKpiRequest(name=name, town=town), from_, to)
    if (day := date_in(at, "at")) is not None:
        message.at.CopyFrom(day)
    stub, call = _stub(request)
    return out.kpi_out(stub.GetKpi(message, **call))


# -------------------------------------------------------------------------------------- scorecards


@router.get("/scorecards", response_model=out.ScorecardPageOut, response_model_by_alias=True)
def list_scorecards(
    request: Request,
    _: Reader,
    from_: FromQuery = "",
    to: ToQuery = "",
    page_size: PageSize = paging.DEFAULT_PAGE_SIZE,
    page_token: str = "",
) -> out.ScorecardPageOut:
    """Every town's scorecard for a period, best first, a page at a time."""
    start = paging.decode(page_token) or "0"
    if not start.isdigit():
        raise InvalidArgument("page_token", "not a token this route returned")
    offset = int(start)
    stub, call = _stub(request)
    cards = list(
        stub.ListScorecards(_period(evaluation_pb2.ListScorecardsRequest(), from_, to), **call).scorecards
    )
    shown = cards[offset : offset + page_size]
    following = offset + page_size
    return out.ScorecardPageOut(
        scorecards=[out.scorecard_out(c) for c in shown],
        next_page_token=paging.encode(str(following)) if following < len(cards) else "",
        total=len(cards),
    )


@router.get("/scorecards/{kind}/{name}", response_model=out.ScorecardOut, response_model_by_alias=True)
def get_scorecard(
    kind: Annotated[str, Path(description=f"One of: {', '.join(SUBJECT_KINDS)}", examples=["town"])],
    name: Annotated[str, Path(examples=["浒山"])],
    request: Request,
    _: Reader,
    from_: FromQuery = "",
    to: ToQuery = "",
) -> out.ScorecardOut:
    """One town's or department's scorecard: target, actual and weighted score per KPI, and its rank."""
    if kind not in SUBJECT_KINDS:
        raise InvalidArgument("kind", f"must be one of {', '.join(SUBJECT_KINDS)}, got {kind!r}")
    message = _period(evaluation_pb2.GetScorecardRequest(subject=f"{kind}:{name}"), from_, to)
    stub, call = _stub(request)
    return out.scorecard_out(stub.GetScorecard(message, **call))


# ---------------------------------------------------------------------------------------- hotspots


@router.get("/hotspots", response_model=out.HotspotsOut, response_model_by_alias=True)
def get_hotspots(
    request: Request,
    _: Reader,
    dimension: str = Query("town", description=f"One of: {', '.join(DIMENSIONS)}"),
    from_: FromQuery = "",
    to: ToQuery = "",
    limit: int = Query(10, ge=1, le=100, description="How many places to rank"),
) -> out.HotspotsOut:
    """Where problems and petitions concentrate (矛盾焦点), with the trend against the previous period
    of the same length and the repeat offenders."""
    message = _period(evaluation_pb2.GetHotspotsRequest(dimension=dimension, limit=limit), from_, to)
    stub, call = _stub(request)
    return out.hotspots_out(stub.GetHotspots(message, **call))


# ------------------------------------------------------------------------------------------ report

FORMATS = {"html": evaluation_pb2.REPORT_FORMAT_HTML, "pdf": evaluation_pb2.REPORT_FORMAT_PDF}


def _report(request: Request, fmt: str, start: str, end: str) -> Response:
    message = _period(evaluation_pb2.GetStatusReportRequest(format=FORMATS[fmt]), start, end)
    clients = clients_of(request.app.state)
    report: evaluation_pb2.StatusReport = clients.evaluation.GetStatusReport(
        message, metadata=clients.metadata(), timeout=REPORT_TIMEOUT
    )
    first, last = out.day(getattr(report, "from")), out.day(report.to)
    filename = f"status-report-{first}-{last}.{fmt}"
    # The PDF is a download; the HTML opens in the browser but keeps the same name when saved.
    disposition = "attachment" if fmt == "pdf" else "inline"
    return Response(
        content=report.content,
        media_type=report.media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"', "Cache-Control": "no-store"},
    )


@router.get(
    "/reports/status.html",
    response_class=Response,
    responses={200: {"content": {"text/html": {}}, "description": "The report as an HTML page"}},
)
def status_report_html(request: Request, _: Reader, from_: FromQuery = "", to: ToQuery = "") -> Response:
    """The environmental status report (生态环境状况报告) of a period, as HTML with its charts."""
    return _report(request, "html", from_, to)


@router.get(
    "/reports/status.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The report as a PDF download"}},
)
def status_report_pdf(request: Request, _: Reader, from_: FromQuery = "", to: ToQuery = "") -> Response:
    """The environmental status report of a period as a PDF download (status-report-<from>-<to>.pdf)."""
    return _report(request, "pdf", from_, to)
