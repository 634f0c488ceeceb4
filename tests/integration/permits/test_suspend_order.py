"""Enforcement's SuspendPermitOrder, published on the real eco.enforcement.events topic, suspends a permit."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from kafka import KafkaAdminClient, TopicPartition

from eco.v1 import common_pb2, permits_pb2
from shared import events
from shared.consumer import EventConsumer
from shared.kafka import reliable_producer
from shared.schema import outbox
from tests.integration.permits.conftest import Permits
from tests.integration.permits.kafka_events import events_about
from tests.support import infra
from tests.unit.permits.factories import fields_pb, limits_pb, random_uscc

pytestmark = pytest.mark.integration
WHO = common_pb2.Actor(user="officer", reason="审核通过")


def _issued_permit(p: Permits) -> tuple[str, str]:
    code = random_uscc()
    p.stub.RegisterEnterprise(
        permits_pb2.RegisterEnterpriseRequest(uscc=code, fields=fields_pb()), metadata=p.md()
    )
    outlet = p.stub.AddOutlet(
        permits_pb2.AddOutletRequest(
            uscc=code,
            kind=permits_pb2.OUTLET_KIND_WASTEWATER,
            name="总排口",
            location=common_pb2.GeoPoint(lat=30.2, lon=121.3),
            receiving_river="新塘江",
        ),
        metadata=p.md(),
    )
    number = p.stub.ApplyPermit(
        permits_pb2.ApplyPermitRequest(uscc=code, outlets=[limits_pb(outlet.outlet_id)]), metadata=p.md()
    ).permit_number
    p.stub.StartPermitReview(
        permits_pb2.PermitActionRequest(permit_number=number, actor=WHO), metadata=p.md()
    )
    p.stub.IssuePermit(permits_pb2.IssuePermitRequest(permit_number=number, actor=WHO), metadata=p.md())
    return code, number


def test_order_from_kafka_suspends_the_permit_once(
    permits: Permits, kafka_bootstrap: str, enforcement_topic: str
) -> None:
    p = permits
    code, number = _issued_permit(p)
    order = permits_pb2.SuspendPermitOrder(
        uscc=code, permit_number=number, case_id=infra.unique("CASE-"), reason="超标排放，责令停产整治"
    )
    envelope = events.make_envelope(source="enforcement", subject_id=code, payload=order)
    producer = reliable_producer(kafka_bootstrap, client_id="test-enforcement")
    try:
        # Delivered twice: the consumer must apply it once.
        sent = [
            producer.send(enforcement_topic, key=code.encode(), value=envelope.SerializeToString()).get(
                timeout=30
            )
            for _ in range(2)
        ]
    finally:
        producer.close()

    def suspended() -> bool:
        permit = p.stub.GetPermit(permits_pb2.GetPermitRequest(permit_number=number), metadata=p.md())
        return permit.status == permits_pb2.PERMIT_STATUS_SUSPENDED

    infra.wait_for(suspended, timeout=60, every=0.2, what="the order to suspend the permit")
    permit = p.stub.GetPermit(permits_pb2.GetPermitRequest(permit_number=number), metadata=p.md())
    assert permit.last_action.department == "enforcement" and permit.last_action.reason == order.reason

    [consumer] = [w for w in p.service.workers if isinstance(w, EventConsumer)]
    second = TopicPartition(enforcement_topic, sent[1].partition)

    def past_second_copy() -> bool:
        admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap.split(","))
        try:
            committed = admin.list_group_offsets({consumer.group_id: [second]})[consumer.group_id]
        finally:
            admin.close()
        return second in committed and committed[second].offset > sent[1].offset

    infra.wait_for(
        past_second_copy, timeout=20, every=0.3, what="the consumer to commit past the second copy"
    )
    assert _count(p.service.app.engine, outbox, outbox.c.event_type == "PermitSuspended") == 1
    seen = events_about(kafka_bootstrap, code, until_types={"PermitSuspended"})
    [suspension] = [e for t, e in seen if t == "PermitSuspended"]
    assert isinstance(suspension, permits_pb2.PermitSuspended)
    assert suspension.case_id == order.case_id and suspension.permit_number == number


def _count(engine: sa.Engine, table: sa.Table, condition: sa.ColumnElement[bool]) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table).where(condition)).scalar_one())
