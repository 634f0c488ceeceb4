"""The audit writer keeps writing when one record is refused, and trace ids are never trusted blindly."""

import pytest
import sqlalchemy as sa

from shared import schema
from shared.grpc.audit import AuditWriter
from tests.support.audit import audit_record

pytestmark = pytest.mark.integration


def test_a_refused_record_does_not_hold_back_the_others(engine: sa.Engine) -> None:
    writer = AuditWriter(engine)
    writer.record(audit_record("eco.v1.PermitsService/GetEnterprise"))
    writer.record(audit_record("x" * 500))  # longer than the column: PostgreSQL refuses it
    writer.record(audit_record("eco.v1.PermitsService/ListEnterprises"))
    assert writer.flush() == 2
    assert writer.dropped == 1
    with engine.connect() as conn:
        methods = (
            conn.execute(sa.select(schema.audit_log.c.method).order_by(schema.audit_log.c.id)).scalars().all()
        )
    assert methods == ["eco.v1.PermitsService/GetEnterprise", "eco.v1.PermitsService/ListEnterprises"]
    writer.record(audit_record("eco.v1.PermitsService/GetPermit"))
    assert writer.flush() == 1  # and the queue is not stuck behind the bad record
