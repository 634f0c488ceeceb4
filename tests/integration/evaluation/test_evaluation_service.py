"""Evaluation against real Kafka and PostgreSQL: events published on Kafka give CreditChanged on
eco.evaluation.events and answers over gRPC; a second instance replaying the same topics from
offset 0 builds exactly the live tables; and a penalty turns a green code yellow in the code service.

Each test publishes on topics of its own and uses random enterprises, so runs never share state.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
import sqlalchemy as sa
from kafka import KafkaConsumer, KafkaProducer

from eco.v1 import (
    codes_pb2,
    codes_pb2_grpc,
    common_pb2,
    enforcement_pb2,
    evaluation_pb2,
    evaluation_pb2_grpc,
    events_pb2,
)
from services.codes.bootstrap import build as build_codes
from services.evaluation.adapters.tables import READ_MODEL
from services.evaluation.bootstrap import build as build_evaluation
from shared import events
from shared.db import make_engine
from shared.grpc.client import call_metadata, channel
from shared.runtime import RunningService
from shared.topology import topic_for
from tests.integration.codes.harness import create_topics
from tests.support import infra
from tests.support.topics import assign_all, create_topics_if_missing, start_group_at_end
from tests.unit.codes import factories as codes_factories
from tests.unit.evaluation import envelopes as e

pytestmark = pytest.mark.integration
Start = Callable[..., RunningService]


@pytest.fixture
def other_pg_url() -> Iterator[str]:
    """A second fresh database (asked for before start_service, so it outlives the services)."""
    with infra.fresh_postgres_database() as url:
        yield url


def _uscc() -> str:
    return codes_factories.make_uscc(random.Random())


class Topics:
    """Test topics standing in for permits' and enforcement's."""

    def __init__(self) -> None:
        self.permits, self.enforcement = infra.unique("test.permits."), infra.unique("test.enforcement.")
        create_topics(self.permits, self.enforcement)
        self.producer = KafkaProducer(bootstrap_servers=infra.KAFKA.split(","), acks="all")

    def publish(self, topic: str, envelope: events_pb2.EventEnvelope) -> None:
        """Publish as the producer's relay would (keyed by subject)."""
        self.producer.send(topic, key=envelope.subject_id.encode(), value=envelope.SerializeToString()).get(
            10
        )


def _evaluation(start: Start, url: str, topics: Topics, group: str | None = None) -> RunningService:
    return start(
        "evaluation",
        build_evaluation,
        url,
        consumer_group=group or infra.unique("evaluation-test-"),
        topics=[topics.permits, topics.enforcement],
    )


@contextmanager
def credit_events() -> Iterator[Callable[[str, int], list[evaluation_pb2.CreditChanged]]]:
    """Read eco.evaluation.events from its current end: read(uscc, n) waits for n CreditChanged."""
    topic = topic_for("evaluation")
    create_topics_if_missing(topic)
    consumer = KafkaConsumer(bootstrap_servers=infra.KAFKA.split(","), enable_auto_commit=False)
    for partition in assign_all(consumer, topic):
        consumer.seek_to_end(partition)
        consumer.position(partition)
    seen: list[events_pb2.EventEnvelope] = []

    def read(uscc: str, count: int) -> list[evaluation_pb2.CreditChanged]:
        def enough() -> list[evaluation_pb2.CreditChanged] | None:
            for batch in consumer.poll(timeout_ms=500).values():
                seen.extend(events.decode(m.value) for m in batch)
            mine = [events.unpack(x) for x in seen if x.subject_id == uscc and x.type == "CreditChanged"]
            return mine if len(mine) >= count else None  # type: ignore[return-value]

        return infra.wait_for(enough, timeout=60, what=f"{count} CreditChanged about {uscc}")

    try:
        yield read
    finally:
        consumer.close()


def test_events_on_kafka_give_credit_changed_and_answers(pg_url: str, start_service: Start) -> None:
    topics = Topics()
    uscc, now = _uscc(), datetime.now(UTC)
    with credit_events() as read:
        service = _evaluation(start_service, pg_url, topics)
        registration = e.registered(uscc, now - timedelta(days=30), town="浒山")
        fine = e.penalty(uscc, "case-1", now - timedelta(days=1), enforcement_pb2.PENALTY_KIND_FINE)
        # One step at a time: events consumed in one batch are rated once (one change, not two).
        topics.publish(topics.permits, registration)
        read(uscc, 1)
        topics.publish(topics.enforcement, fine)
        topics.publish(topics.enforcement, fine)  # redelivered: counted once
        changes = read(uscc, 2)
    assert [(c.previous_level, c.level) for c in changes[:2]] == [
        (common_pb2.CREDIT_LEVEL_UNSPECIFIED, common_pb2.CREDIT_LEVEL_GREEN),
        (common_pb2.CREDIT_LEVEL_GREEN, common_pb2.CREDIT_LEVEL_YELLOW),
    ]
    ch = channel(service.address)
    stub = evaluation_pb2_grpc.EvaluationServiceStub(ch)
    meta = call_metadata(infra.BUREAU_TOKEN)
    try:
        credit = stub.GetCredit(evaluation_pb2.GetCreditRequest(uscc=uscc), metadata=meta, timeout=10)
        assert credit.level == common_pb2.CREDIT_LEVEL_YELLOW and credit.level_label == "环保警示企业"
        assert [(r.rule_id, r.points, r.source_event_id) for r in credit.reasons] == [
            ("penalty.fine", -20.0, fine.event_id)
        ]
        history = stub.GetCreditHistory(evaluation_pb2.GetCreditRequest(uscc=uscc), metadata=meta, timeout=10)
        assert [h.level for h in history.entries] == [
            common_pb2.CREDIT_LEVEL_GREEN,
            common_pb2.CREDIT_LEVEL_YELLOW,
        ]
        kpi = stub.GetKpi(
            evaluation_pb2.GetKpiRequest(name="discharge_permit_holding_rate", town="浒山"),
            metadata=meta,
            timeout=10,
        )
        assert (kpi.numerator, kpi.denominator, kpi.target) == (0, 1, 1.0)
        with pytest.raises(grpc.RpcError) as bad:
            stub.GetKpi(evaluation_pb2.GetKpiRequest(name="happiness"), metadata=meta, timeout=10)
        assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
        assert "name" in bad.value.details()  # type: ignore[attr-defined]
        report = stub.GetStatusReport(
            evaluation_pb2.GetStatusReportRequest(format=evaluation_pb2.REPORT_FORMAT_PDF),
            metadata=meta,
            timeout=60,
        )
        assert report.content.startswith(b"%PDF")
    finally:
        ch.close()


def _tables(url: str) -> dict[str, list[tuple[object, ...]]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: [tuple(r) for r in conn.execute(sa.select(t).order_by(*t.primary_key.columns))]
                for t in READ_MODEL
            }
    finally:
        engine.dispose()


def test_replaying_from_offset_zero_rebuilds_exactly_the_live_tables(
    pg_url: str, other_pg_url: str, start_service: Start
) -> None:
    topics = Topics()
    a, b, now = _uscc(), _uscc(), datetime.now(UTC)
    story = [
        (topics.permits, e.registered(a, now - timedelta(days=40), town="浒山")),
        (topics.permits, e.registered(b, now - timedelta(days=40), town="观海卫")),
        (
            topics.permits,
            e.permit_issued(
                a,
                "P-A",
                now - timedelta(days=39),
                (now - timedelta(days=39)).date(),
                (now + timedelta(days=1000)).date(),
            ),
        ),
        (topics.enforcement, e.problem("p1", "c1", now - timedelta(days=20), uscc=b, town="观海卫")),
        (
            topics.enforcement,
            e.penalty(b, "c1", now - timedelta(days=10), enforcement_pb2.PENALTY_KIND_SUSPEND_PRODUCTION),
        ),
        (
            topics.enforcement,
            e.petition_closed(
                "pt1", now - timedelta(days=5), town="浒山", on_time=True, uscc=a, substantiated=True
            ),
        ),
    ]
    # Daily AQI (monitoring's events, on the test topic standing in for it): a correction first,
    # then the figure it corrects, and an invalid day; the daily_aqi table keeps revision 2 and its
    # concentrations.
    day = (now - timedelta(days=3)).date()
    air = [
        e.daily_aqi(
            "AIR-T",
            day,
            now - timedelta(days=1),
            town="浒山",
            aqi=104,
            level=3,
            revision=2,
            concentrations={"PM25_24H": 78.0, "CO_24H": 0.7},
        ),
        e.daily_aqi(
            "AIR-T",
            day,
            now - timedelta(days=2),
            town="浒山",
            aqi=80,
            level=2,
            concentrations={"PM25_24H": 59.0},
        ),
        e.daily_aqi("AIR-T", day + timedelta(days=1), now - timedelta(days=1), town="浒山", valid=False),
    ]
    live_url, rebuilt_url = pg_url, other_pg_url

    def whole(url: str) -> bool:
        tables = _tables(url)
        return len(tables["facts"]) == len(story) and len(tables["daily_aqi"]) == 2

    _evaluation(start_service, live_url, topics)
    for topic, envelope in story + story[-2:]:  # two events delivered twice
        topics.publish(topic, envelope)
    for envelope in air + air[:1]:
        topics.publish(topics.enforcement, envelope)
    infra.wait_for(lambda: whole(live_url), timeout=60, what="the live model")
    _evaluation(start_service, rebuilt_url, topics)  # a new group: reads both topics from offset 0
    infra.wait_for(lambda: whole(rebuilt_url), timeout=60, what="the rebuild")
    live, rebuilt = _tables(live_url), _tables(rebuilt_url)
    assert rebuilt == live
    assert [(row[1], row[4], row[7], row[10]) for row in live["daily_aqi"]] == [
        (day, 104, 2, '{"CO_24H": 0.7, "PM25_24H": 78.0}'),  # the correction's concentrations
        (day + timedelta(days=1), 0, 1, "{}"),
    ]
    assert {row[0]: row[1] for row in live["credits"]} == {a: "green", b: "red"}


def test_a_penalty_decided_in_enforcement_turns_a_green_code_yellow(
    pg_url: str, other_pg_url: str, tmp_path: Path, start_service: Start
) -> None:
    topics = Topics()
    uscc, now = _uscc(), datetime.now(UTC)
    group = infra.unique("codes-test-")
    evaluation_topic = topic_for("evaluation")
    create_topics_if_missing(evaluation_topic)
    start_group_at_end(group, evaluation_topic)
    codes_url = other_pg_url
    codes = start_service(
        "codes",
        build_codes,
        codes_url,
        keys=codes_factories.keys(),
        topics=[topics.permits, evaluation_topic],
        group_id=group,
        env={
            **infra.service_env(database_url=codes_url, run_dir=tmp_path),
            "ECO_PERMITS_ADDR": f"127.0.0.1:{infra.free_port()}",
        },
    )
    _evaluation(start_service, pg_url, topics)
    ch = channel(codes.address)
    client = codes_pb2_grpc.CodesServiceStub(ch)
    meta = call_metadata(infra.BUREAU_TOKEN)

    def status() -> codes_pb2.PublicStatus | None:
        try:
            code = client.GetCode(codes_pb2.GetCodeRequest(uscc=uscc), metadata=meta, timeout=10)
        except grpc.RpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:  # type: ignore[attr-defined]
                return None
            raise
        resolved = client.ResolveToken(
            codes_pb2.ResolveTokenRequest(token=code.token), metadata=meta, timeout=10
        )
        return resolved.status

    try:
        topics.publish(topics.permits, e.registered(uscc, now - timedelta(days=30), town="浒山"))
        infra.wait_for(
            lambda: (s := status()) is not None and s.credit_level == common_pb2.CREDIT_LEVEL_GREEN,
            timeout=60,
            what="the code to turn green",
        )
        topics.publish(topics.enforcement, e.penalty(uscc, "case-9", now, enforcement_pb2.PENALTY_KIND_FINE))
        infra.wait_for(
            lambda: (s := status()) is not None and s.credit_level == common_pb2.CREDIT_LEVEL_YELLOW,
            timeout=60,
            what="the code to turn yellow",
        )
        final = status()
        assert final is not None and final.credit_label == "环保警示企业"
    finally:
        ch.close()
