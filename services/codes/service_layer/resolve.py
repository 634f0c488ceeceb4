"""Resolving a scanned token to the enterprise's public status, and the scan log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.codes.adapters.repository import CodeRepository, ScanLog, StatusRepository
from services.codes.domain import model
from services.codes.domain.status import EnterpriseStatus
from services.codes.domain.token import TokenRefused, Verdict, verify
from services.codes.service_layer.context import Context
from shared.errors import InvalidArgument
from shared.uscc import validate_uscc

MAX_STATS_DAYS = 366


@dataclass(frozen=True)
class Resolution:
    """What a scan found: a verdict, why, and (when valid) the public status and scanned version."""

    verdict: Verdict
    detail: str = ""
    status: EnterpriseStatus | None = None
    version: int = 0


def resolve_token(ctx: Context, *, token: str, record_scan: bool) -> Resolution:
    """Verify a token and, when it is valid, return the live public status (counting the scan if asked)."""
    try:
        claims = verify(ctx.keys, token.strip())
    except TokenRefused as refused:
        return Resolution(refused.verdict, refused.detail)
    with ctx.engine.begin() as conn:
        codes = CodeRepository(conn)
        verdict, detail = model.judge(
            codes.get_version(uscc=claims.uscc, version=claims.version), codes.get(uscc=claims.uscc)
        )
        if verdict is not Verdict.VALID:
            return Resolution(verdict, detail)
        status = StatusRepository(conn).get(uscc=claims.uscc) or EnterpriseStatus(uscc=claims.uscc)
        if record_scan:
            ScanLog(conn).record(uscc=claims.uscc, day=ctx.today())
    return Resolution(Verdict.VALID, "", status, claims.version)


def scan_stats(ctx: Context, *, uscc: str, first: date, last: date) -> list[tuple[str, date, int]]:
    """Scan counts per enterprise and day in a period of local days (inclusive)."""
    key = validate_uscc(uscc) if uscc else ""
    if last < first:
        raise InvalidArgument("to", f"must not be before from ({first.isoformat()})")
    if (last - first).days >= MAX_STATS_DAYS:
        raise InvalidArgument("to", f"a period covers at most {MAX_STATS_DAYS} days")
    with ctx.engine.connect() as conn:
        return ScanLog(conn).get_all(uscc=key, first=first, last=last)
