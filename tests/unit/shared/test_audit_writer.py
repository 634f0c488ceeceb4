"""The audit writer's shutdown: a database that is away is reported, and the service still stops."""

import pytest

from shared.db import make_engine
from shared.grpc.audit import AuditWriter
from tests.support.audit import audit_record
from tests.support.infra import free_port


def test_stop_with_the_database_away_reports_the_unwritten_records(caplog: pytest.LogCaptureFixture) -> None:
    # Nothing listens on this port: every connection attempt is refused at once.
    engine = make_engine(f"postgresql+psycopg://eco@127.0.0.1:{free_port()}/gone?connect_timeout=2")
    writer = AuditWriter(engine)
    writer.record(audit_record("eco.v1.PermitsService/GetEnterprise"))
    writer.record(audit_record("eco.v1.PermitsService/ListEnterprises"))

    writer.stop()  # does not raise

    assert writer.dropped == 2
    assert "2 record(s) not written" in caplog.text
    engine.dispose()
