"""A call to a method nobody serves is refused as UNIMPLEMENTED, after authentication, and audited."""

from collections.abc import Callable

import grpc
import pytest
import sqlalchemy as sa

from services.evaluation import bootstrap
from shared import schema
from shared.grpc.client import call_metadata
from shared.runtime import RunningService
from tests.support import infra

pytestmark = pytest.mark.integration


def test_unknown_method_is_unimplemented_and_audited(
    pg_url: str, start_service: Callable[..., RunningService]
) -> None:
    service = start_service("evaluation", bootstrap.build, pg_url)
    method = "/eco.v1.EvaluationService/NoSuchMethod"
    with grpc.insecure_channel(service.address) as channel:
        call = channel.unary_unary(method)
        with pytest.raises(grpc.RpcError) as anonymous:
            call(b"", timeout=5)
        assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED
        with pytest.raises(grpc.RpcError) as known:
            call(b"", metadata=call_metadata(infra.BUREAU_TOKEN), timeout=5)
        assert known.value.code() == grpc.StatusCode.UNIMPLEMENTED

    def audited() -> list[tuple[str, str]]:
        with service.app.engine.connect() as conn:
            query = sa.select(schema.audit_log.c.department, schema.audit_log.c.status).where(
                schema.audit_log.c.method == method.lstrip("/")
            )
            rows = [tuple(row) for row in conn.execute(query.order_by(schema.audit_log.c.id))]
        return rows if len(rows) == 2 else []

    assert infra.wait_for(audited, timeout=10, what="both attempts in the audit log") == [
        ("-", "UNAUTHENTICATED"),
        ("bureau", "UNIMPLEMENTED"),
    ]
