"""Resolving a scanned token to the enterprise's public status, and the scan log."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from services.codes.adapters.repository import CodeRepository, ScanLog, StatusRepository
from services.codes.domain import model
from services.codes.domain.status import EnterpriseStatus
from services.codes.domain.token import TokenRefused, Verdict, verify
from services.codes.service_layer.context import Context
from shared.errors import InvalidArgument
from shared.unit_of_work import transaction
from shared.uscc import validate_uscc

MAX_STATS_DAYS = 366
MAX_BATCH_COUNTS = 10_000
MAX_SCANS_PER_COUNT = 1_000_000
BATCH_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
# A batch counts scans of about now; a sender that could not deliver for days lets it go.
BATCH_DAYS_BACK = 7


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


def record_scans(ctx: Context, *, batch_id: str, counts: list[tuple[str, date, int]]) -> tuple[bool, int]:
    """Add a batch of scans counted elsewhere, once per batch id; (was it a retry, scans in it)."""
    if not BATCH_ID.fullmatch(batch_id):
        raise InvalidArgument("batch_id", "8 to 64 letters, digits, '-' or '_'")
    if not 0 < len(counts) <= MAX_BATCH_COUNTS:
        raise InvalidArgument("counts", f"1 to {MAX_BATCH_COUNTS} counts in a batch")
    today, checked = ctx.today(), []
    for n, (uscc, day, count) in enumerate(counts):
        key = validate_uscc(uscc, field=f"counts[{n}].uscc")
        if not today - timedelta(days=BATCH_DAYS_BACK) <= day <= today + timedelta(days=1):
            raise InvalidArgument(f"counts[{n}].day", f"must be within {BATCH_DAYS_BACK} days of today")
        if not 0 < count <= MAX_SCANS_PER_COUNT:
            raise InvalidArgument(f"counts[{n}].count", f"must be 1 to {MAX_SCANS_PER_COUNT}")
        checked.append((key, day, count))
    with transaction(ctx) as tx:
        log = ScanLog(tx.conn)
        if not log.claim_batch(batch_id=batch_id, at=tx.now):
            return True, sum(c for *_, c in checked)
        for uscc, day, count in checked:
            log.record(uscc=uscc, day=day, count=count)
    return False, sum(c for *_, c in checked)
