"""One operator action keeps one trace id: gateway request -> gRPC call (audit) -> Kafka event."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from kafka.consumer.fetcher import ConsumerRecord

from eco.v1 import events_pb2
from gateway import config, operators
from gateway.app import create_app
from services.permits import bootstrap
from shared import events, schema
from shared.runtime import RunningService
from shared.topology import topic_for
from tests.support import infra
from tests.support.topics import read_from_start
from tests.unit.permits.factories import random_uscc

pytestmark = pytest.mark.e2e


def test_trace_id_travels_from_http_to_audit_and_event(
    pg_url: str, start_service: Callable[..., RunningService], tmp_path: Path
) -> None:
    permits = start_service("permits", bootstrap.build, pg_url, consumer_group=infra.unique("permits-trace-"))
    uscc = random_uscc()
    trace_id = infra.unique("trace")
    with infra.fresh_postgres_database() as gateway_db:
        env = infra.service_env(database_url=gateway_db, run_dir=tmp_path, ECO_PERMITS_ADDR=permits.address)
        with TestClient(create_app(config.load(env))) as client:
            operators.create(
                client.app.state.engine,  # type: ignore[attr-defined]
                username="tracer",
                display_name="trace test",
                role="permit_officer",
                token="tok-trace",
            )
            response = client.post(
                "/api/v1/enterprises",
                headers={"Authorization": "Bearer tok-trace", "X-Trace-Id": trace_id},
                json={
                    "uscc": uscc,
                    "name": "慈溪市追踪测试有限公司",
                    "legal_representative": "陈刚",
                    "address": "浙江省慈溪市浒山街道",
                    "grid": "浒山-1",
                    "industry_code": "C1713",
                    "town": "浒山",
                    "lat": 30.17,
                    "lon": 121.26,
                    "permit_class": "simplified",
                },
            )
    assert response.status_code == 201, response.text
    assert response.headers["X-Trace-Id"] == trace_id

    engine = permits.app.engine

    def audited() -> Sequence[sa.Row]:
        with engine.connect() as conn:
            return conn.execute(
                sa.select(schema.audit_log).where(schema.audit_log.c.trace_id == trace_id)
            ).all()

    rows = infra.wait_for(audited, timeout=10, what="the audit record of the gateway's call")
    assert [(r.department, r.method, r.status) for r in rows] == [
        ("gateway", "eco.v1.PermitsService/RegisterEnterprise", "OK")
    ]

    def registered(records: list[ConsumerRecord]) -> list[events_pb2.EventEnvelope]:
        decoded = (events.decode(record.value) for record in records)
        return [e for e in decoded if e.subject_id == uscc and e.type == "EnterpriseRegistered"]

    on_kafka = registered(
        read_from_start(
            topic_for("permits"),
            until=lambda seen: bool(registered(seen)),
            what=f"EnterpriseRegistered of {uscc}",
        )
    )
    assert len(on_kafka) == 1
    assert on_kafka[0].trace_id == trace_id
