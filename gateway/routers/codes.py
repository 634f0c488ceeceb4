"""Operators' routes for enterprise codes: images, printable sheets, rotation and revocation, scan counts.

Every image is rendered by the code service (RenderCode) in the enterprise's credit colour as it is
now, so images are never cached.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import Field

from eco.v1 import codes_pb2, codes_pb2_grpc, common_pb2
from gateway import operators, roles
from gateway.clients import clients_of
from gateway.contract import Out, PageOut, PageSize, PageToken, Uscc, uscc_query
from gateway.errors import API_ERRORS
from gateway.inputs import In
from shared.errors import InvalidArgument

router = APIRouter(prefix="/api/v1", tags=["codes"], responses=API_ERRORS)
CALL_TIMEOUT = 10.0
CODE_STATUSES = {codes_pb2.CODE_STATUS_ACTIVE: "active", codes_pb2.CODE_STATUS_REVOKED: "revoked"}
# Who may change a code (print runs and revocations are the bureau's decisions).
CODE_MANAGERS = (roles.ADMIN, roles.PERMIT_OFFICER, roles.DISPATCHER)

AnyOperator = Annotated[operators.Operator, Depends(operators.require())]
CodeManager = Annotated[operators.Operator, Depends(operators.require(*CODE_MANAGERS))]
# Retiring a signing key re-prints every sticker it signed: an administrator's decision.
KeyManager = Annotated[operators.Operator, Depends(operators.require(roles.ADMIN))]


class ReasonIn(In):
    """Why a code is rotated, revoked or reissued (kept in the audit trail)."""

    reason: str = Field(default="", max_length=500, description="Required to revoke")


def _codes(request: Request) -> tuple[codes_pb2_grpc.CodesServiceStub, dict[str, Any]]:
    """The code service's stub and the keyword arguments of a call on the gateway's behalf."""
    clients = clients_of(request.app.state)
    return clients.codes, {"metadata": clients.metadata(), "timeout": CALL_TIMEOUT}


class CodeOut(Out):
    """An enterprise's code: its version, status, the URL printed in it and the key that signed it."""

    uscc: str
    version: int
    status: Literal["active", "revoked", "unspecified"]
    url: str
    key_id: str
    issued_at: str | None = Field(json_schema_extra={"format": "date-time"})
    revoked_at: str | None = Field(json_schema_extra={"format": "date-time"})
    revoke_reason: str


class CodesPage(PageOut):
    """One page of codes."""

    codes: list[CodeOut]


class RotatedOut(Out):
    """How many codes a key's rotation moved onto the current signing key."""

    key_id: str
    rotated: int


class ScanCountOut(Out):
    """Scans of one enterprise's code on one local day."""

    uscc: str
    day: str = Field(json_schema_extra={"format": "date"})
    count: int


class ScanStatsOut(Out):
    """Scan counts per enterprise and local day."""

    total: int
    counts: list[ScanCountOut]


def _code_out(code: codes_pb2.Code) -> dict[str, Any]:
    return {
        "uscc": code.uscc,
        "version": code.version,
        "status": CODE_STATUSES.get(code.status, "unspecified"),
        "url": code.url,
        "key_id": code.key_id,
        "issued_at": code.issued_at.ToJsonString() if code.HasField("issued_at") else None,
        "revoked_at": code.revoked_at.ToJsonString() if code.HasField("revoked_at") else None,
        "revoke_reason": code.revoke_reason,
    }


def _image(request: Request, uscc: str, fmt: codes_pb2.ImageFormat, module_pixels: int) -> Response:
    stub, call = _codes(request)
    image: codes_pb2.CodeImage = stub.RenderCode(
        codes_pb2.RenderCodeRequest(uscc=uscc, format=fmt, module_pixels=module_pixels), **call
    )
    return Response(
        content=image.content,
        media_type=image.content_type,
        # The frame colour follows the credit level: a cached image would show yesterday's colour.
        headers={"Cache-Control": "no-store", "X-Code-Version": str(image.version)},
    )


def _binary(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
            "description": description,
        }
    }


@router.get(
    "/enterprises/{uscc}/code.png", response_class=Response, responses=_binary("image/png", "The code")
)
def code_png(
    uscc: Uscc, request: Request, _: AnyOperator, module_pixels: int = Query(0, ge=0, le=40)
) -> Response:
    """The enterprise's QR code as PNG, framed in its credit colour, its name underneath."""
    return _image(request, uscc, codes_pb2.IMAGE_FORMAT_PNG, module_pixels)


@router.get(
    "/enterprises/{uscc}/code.svg", response_class=Response, responses=_binary("image/svg+xml", "The code")
)
def code_svg(uscc: Uscc, request: Request, _: AnyOperator) -> Response:
    """The enterprise's QR code as SVG (scales to any print size)."""
    return _image(request, uscc, codes_pb2.IMAGE_FORMAT_SVG, 0)


@router.get("/codes/sheet.pdf", response_class=Response, responses=_binary("application/pdf", "A4 sheet"))
def code_sheet(
    request: Request,
    _: AnyOperator,
    uscc: Annotated[list[str] | None, Query()] = None,
    town: str = "",
) -> Response:
    """A printable A4 sheet of codes for field teams: the listed enterprises, or a town's active codes."""
    stub, call = _codes(request)
    sheet: codes_pb2.CodeSheet = stub.RenderSheet(
        codes_pb2.RenderSheetRequest(uscc=uscc or [], town=town), **call
    )
    return Response(
        content=sheet.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": 'attachment; filename="codes.pdf"',
            "Cache-Control": "no-store",
            "X-Codes": str(sheet.codes),
        },
    )


@router.get("/enterprises/{uscc}/code", response_model=CodeOut)
def get_code(uscc: Uscc, request: Request, _: AnyOperator) -> dict[str, Any]:
    """The enterprise's current code: version, status and the URL printed in it."""
    stub, call = _codes(request)
    return _code_out(stub.GetCode(codes_pb2.GetCodeRequest(uscc=uscc), **call))


@router.post("/enterprises/{uscc}/code", status_code=status.HTTP_201_CREATED, response_model=CodeOut)
def issue_code(uscc: Uscc, request: Request, _: CodeManager) -> dict[str, Any]:
    """Issue the enterprise's first code now (409 if it has one; the registry is asked if need be)."""
    stub, call = _codes(request)
    return _code_out(stub.IssueCode(codes_pb2.IssueCodeRequest(uscc=uscc), **call))


@router.get("/codes", response_model=CodesPage)
def list_codes(
    request: Request,
    _: KeyManager,
    key_id: str,
    page_size: PageSize = 50,
    page_token: PageToken = "",
) -> dict[str, Any]:
    """Codes whose current version a signing key signed (to follow a key's retirement)."""
    page = common_pb2.PageRequest(page_size=page_size, page_token=page_token)
    stub, call = _codes(request)
    reply: codes_pb2.ListCodesResponse = stub.ListCodes(
        codes_pb2.ListCodesRequest(key_id=key_id, page=page), **call
    )
    return {
        "codes": [_code_out(c) for c in reply.codes],
        "next_page_token": reply.page.next_page_token,
        "total": reply.page.total,
    }


@router.post("/codes/rotate", response_model=RotatedOut)
def rotate_codes(
    request: Request, _: KeyManager, key_id: str, body: ReasonIn | None = None
) -> dict[str, Any]:
    """Rotate every active code a retiring key signed onto the current signing key; returns the count."""
    message = codes_pb2.RotateCodesRequest(key_id=key_id, reason=body.reason if body else "")
    stub, call = _codes(request)
    rotated: codes_pb2.RotateCodesResponse = stub.RotateCodes(message, **call)
    return {"key_id": key_id, "rotated": rotated.rotated}


@router.post("/enterprises/{uscc}/code/rotate", response_model=CodeOut)
def rotate_code(uscc: Uscc, body: ReasonIn, request: Request, _: CodeManager) -> dict[str, Any]:
    """Replace the code by a new version; stickers of the old one are refused as superseded."""
    stub, call = _codes(request)
    return _code_out(stub.RotateCode(codes_pb2.RotateCodeRequest(uscc=uscc, reason=body.reason), **call))


@router.post("/enterprises/{uscc}/code/revoke", response_model=CodeOut)
def revoke_code(uscc: Uscc, body: ReasonIn, request: Request, _: CodeManager) -> dict[str, Any]:
    """Withdraw the code (a reason is required); scans then show that it was revoked."""
    stub, call = _codes(request)
    return _code_out(stub.RevokeCode(codes_pb2.RevokeCodeRequest(uscc=uscc, reason=body.reason), **call))


@router.post("/enterprises/{uscc}/code/reissue", response_model=CodeOut)
def reissue_code(uscc: Uscc, body: ReasonIn, request: Request, _: CodeManager) -> dict[str, Any]:
    """Give a revoked code a new active version."""
    stub, call = _codes(request)
    return _code_out(stub.ReissueCode(codes_pb2.ReissueCodeRequest(uscc=uscc, reason=body.reason), **call))


# Documented as a date; the route refuses anything else itself, naming the parameter.
DAY = {"format": "date"}


def _date_in(value: str, field: str) -> common_pb2.Date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidArgument(field, f"must be a date YYYY-MM-DD, got {value!r}") from None
    return common_pb2.Date(year=day.year, month=day.month, day=day.day)


@router.get("/codes/scans", response_model=ScanStatsOut)
def scan_stats(
    request: Request,
    _: AnyOperator,
    from_: Annotated[
        str, Query(alias="from", description="First local day, YYYY-MM-DD", json_schema_extra=DAY)
    ],
    to: Annotated[str, Query(description="Last local day, YYYY-MM-DD", json_schema_extra=DAY)],
    uscc: str = uscc_query("Only this enterprise"),
) -> dict[str, Any]:
    """Scans per enterprise and local day (no data about who scanned is kept anywhere)."""
    message = codes_pb2.GetScanStatsRequest(uscc=uscc, to=_date_in(to, "to"))
    getattr(message, "from").CopyFrom(_date_in(from_, "from"))
    stub, call = _codes(request)
    stats: codes_pb2.ScanStats = stub.GetScanStats(message, **call)
    return {
        "total": stats.total,
        "counts": [
            {"uscc": c.uscc, "day": f"{c.day.year:04d}-{c.day.month:02d}-{c.day.day:02d}", "count": c.count}
            for c in stats.counts
        ],
    }
