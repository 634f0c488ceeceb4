"""An audit record of a gRPC call, for tests of the audit writer (unit and integration alike)."""

from datetime import UTC, datetime

from shared.grpc.audit import AuditRecord


def audit_record(method: str) -> AuditRecord:
    """A record of a water department's successful call of `method`, now."""
    return AuditRecord(
        at=datetime.now(UTC),
        department="water",
        method=method,
        status="OK",
        duration_ms=1.0,
        trace_id="t",
        peer="p",
    )
