"""The code service's gRPC layer: translates between protobuf and the service layer, nothing else."""

from __future__ import annotations

from datetime import date

import grpc

from eco.v1 import codes_pb2, codes_pb2_grpc, common_pb2
from services.codes.domain.token import Verdict
from services.codes.entrypoints import translate
from services.codes.entrypoints.translate import CREDIT_TO_PROTO
from services.codes.service_layer import codes, keys, render, resolve
from services.codes.service_layer.context import Context, RegistryUnavailable
from shared.errors import InvalidArgument

VERDICT_TO_PROTO = {
    Verdict.VALID: codes_pb2.TOKEN_VERDICT_VALID,
    Verdict.MALFORMED: codes_pb2.TOKEN_VERDICT_MALFORMED,
    Verdict.TAMPERED: codes_pb2.TOKEN_VERDICT_TAMPERED,
    Verdict.UNKNOWN: codes_pb2.TOKEN_VERDICT_UNKNOWN,
    Verdict.SUPERSEDED: codes_pb2.TOKEN_VERDICT_SUPERSEDED,
    Verdict.REVOKED: codes_pb2.TOKEN_VERDICT_REVOKED,
}
FORMATS = {
    codes_pb2.IMAGE_FORMAT_UNSPECIFIED: render.Format.PNG,
    codes_pb2.IMAGE_FORMAT_PNG: render.Format.PNG,
    codes_pb2.IMAGE_FORMAT_SVG: render.Format.SVG,
}


def _date(value: common_pb2.Date, field: str) -> date:
    try:
        parsed = translate.from_date(value, field)
    except ValueError as exc:
        raise InvalidArgument(field, str(exc).split(": ", 1)[-1]) from None
    if parsed is None:
        raise InvalidArgument(field, "is required")
    return parsed


class CodesServicer(codes_pb2_grpc.CodesServiceServicer):
    """eco.v1.CodesService."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def IssueCode(self, request: codes_pb2.IssueCodeRequest, context: grpc.ServicerContext) -> codes_pb2.Code:
        """Issue an enterprise's first code (looked up in the registry if never seen here)."""
        try:
            return translate.code(codes.issue_code(self.ctx, uscc=request.uscc))
        except RegistryUnavailable as down:
            context.abort(grpc.StatusCode.UNAVAILABLE, str(down))
            raise  # abort raises; this line only tells type checkers so

    def ListCodes(
        self, request: codes_pb2.ListCodesRequest, context: grpc.ServicerContext
    ) -> codes_pb2.ListCodesResponse:
        """Codes whose current version a given key signed."""
        page = keys.list_codes(
            self.ctx,
            key_id=request.key_id,
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return codes_pb2.ListCodesResponse(
            codes=[translate.code(c) for c in page.codes],
            page=common_pb2.PageInfo(next_page_token=page.next_token, total=page.total),
        )

    def RotateCodes(
        self, request: codes_pb2.RotateCodesRequest, context: grpc.ServicerContext
    ) -> codes_pb2.RotateCodesResponse:
        """Rotate every active code a retiring key signed."""
        rotated = keys.rotate_codes(self.ctx, key_id=request.key_id, reason=request.reason)
        return codes_pb2.RotateCodesResponse(rotated=rotated)

    def GetCode(self, request: codes_pb2.GetCodeRequest, context: grpc.ServicerContext) -> codes_pb2.Code:
        """The enterprise's current code."""
        return translate.code(codes.get_code(self.ctx, uscc=request.uscc))

    def RotateCode(
        self, request: codes_pb2.RotateCodeRequest, context: grpc.ServicerContext
    ) -> codes_pb2.Code:
        """A new version; the old token becomes superseded."""
        return translate.code(codes.rotate_code(self.ctx, uscc=request.uscc, reason=request.reason))

    def RevokeCode(
        self, request: codes_pb2.RevokeCodeRequest, context: grpc.ServicerContext
    ) -> codes_pb2.Code:
        """Withdraw the code."""
        return translate.code(codes.revoke_code(self.ctx, uscc=request.uscc, reason=request.reason))

    def ReissueCode(
        self, request: codes_pb2.ReissueCodeRequest, context: grpc.ServicerContext
    ) -> codes_pb2.Code:
        """A new active version after a revocation."""
        return translate.code(codes.reissue_code(self.ctx, uscc=request.uscc, reason=request.reason))

    def ResolveToken(
        self, request: codes_pb2.ResolveTokenRequest, context: grpc.ServicerContext
    ) -> codes_pb2.ResolveTokenResponse:
        """Verify a scanned token; the public status when valid."""
        found = resolve.resolve_token(self.ctx, token=request.token, record_scan=request.record_scan)
        response = codes_pb2.ResolveTokenResponse(
            verdict=VERDICT_TO_PROTO[found.verdict], detail=found.detail
        )
        if found.status is not None:
            response.status.CopyFrom(translate.public_status(found.status, found.version, self.ctx.today()))
        return response

    def RenderCode(
        self, request: codes_pb2.RenderCodeRequest, context: grpc.ServicerContext
    ) -> codes_pb2.CodeImage:
        """The code as PNG or SVG."""
        fmt = FORMATS.get(request.format)
        if fmt is None:
            raise InvalidArgument("format", f"unknown image format {request.format}")
        image = render.render_code(self.ctx, uscc=request.uscc, fmt=fmt, module_pixels=request.module_pixels)
        return codes_pb2.CodeImage(
            content_type=image.content_type,
            content=image.content,
            version=image.version,
            credit_level=CREDIT_TO_PROTO[image.credit_level],
        )

    def RenderSheet(
        self, request: codes_pb2.RenderSheetRequest, context: grpc.ServicerContext
    ) -> codes_pb2.CodeSheet:
        """A PDF sheet of many codes."""
        sheet = render.render_sheet(self.ctx, usccs=list(request.uscc), town=request.town)
        return codes_pb2.CodeSheet(pdf=sheet.pdf, codes=sheet.codes, pages=sheet.pages)

    def GetScanStats(
        self, request: codes_pb2.GetScanStatsRequest, context: grpc.ServicerContext
    ) -> codes_pb2.ScanStats:
        """Scan counts per enterprise and day."""
        rows = resolve.scan_stats(
            self.ctx,
            uscc=request.uscc,
            first=_date(getattr(request, "from"), "from"),
            last=_date(request.to, "to"),
        )
        return codes_pb2.ScanStats(
            counts=[codes_pb2.ScanCount(uscc=u, day=translate.to_date(d), count=n) for u, d, n in rows],
            total=sum(n for _, _, n in rows),
        )

    def RecordScans(
        self, request: codes_pb2.RecordScansRequest, context: grpc.ServicerContext
    ) -> codes_pb2.RecordScansResponse:
        """Add a batch of scans counted by the gateway (a retried batch is counted once)."""
        counts = [(c.uscc, _date(c.day, f"counts[{n}].day"), c.count) for n, c in enumerate(request.counts)]
        duplicate, recorded = resolve.record_scans(self.ctx, batch_id=request.batch_id, counts=counts)
        return codes_pb2.RecordScansResponse(duplicate=duplicate, recorded=recorded)
