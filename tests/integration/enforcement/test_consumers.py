"""Monitoring's alarms, published on the real topic, open problems once; a decision that suspends a
permit reaches the permits service through Kafka."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import common_pb2, monitoring_pb2, permits_pb2, permits_pb2_grpc
from eco.v1 import enforcement_pb2 as pb
from services.permits import bootstrap as permits_bootstrap
from shared import events
from shared.clock import ManualClock
from shared.grpc.client import channel
from shared.kafka import reliable_producer
from shared.runtime import RunningService
from shared.topology import topic_for
from tests.integration.enforcement.conftest import START, Enforcement
from tests.integration.enforcement.grids import city
from tests.support import infra, topics
from tests.unit.permits.factories import fields_pb, limits_pb, random_uscc

pytestmark = pytest.mark.integration
MONITORING = topic_for("monitoring")


def _ts(delta: timedelta) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(START + delta)
    return ts


def _exceedance(station: str, *, value: float = 1.9) -> monitoring_pb2.ExceedanceDetected:
    return monitoring_pb2.ExceedanceDetected(
        exceedance=monitoring_pb2.Exceedance(
            exceedance_id=infra.unique("x-"),
            station_id=station,
            station_type=monitoring_pb2.STATION_TYPE_WATER_SECTION,
            parameter="NH3N",
            unit="mg/L",
            limit=1.5,
            limit_basis="GB 3838-2002 class IV",
            opened_at=_ts(timedelta(hours=-1)),
            open=True,
            max_value=value,
            max_multiple=(value - 1.5) / 1.5,
        ),
        evidence=[monitoring_pb2.ReadingPoint(time=_ts(timedelta(hours=-h)), value=value) for h in (3, 2, 1)],
        station_name="三八江浒山断面",
        location=common_pb2.GeoPoint(lat=30.15, lon=121.25),
        town="浒山",
        river="三八江",
    )


def _send(kafka: str, key: str, *payloads: object) -> None:
    producer = reliable_producer(kafka, client_id="test-monitoring")
    try:
        for payload in payloads:
            envelope = (
                payload
                if isinstance(payload, events.EventEnvelope)
                else events.make_envelope(
                    source="monitoring",
                    subject_id=key,
                    payload=payload,  # type: ignore[arg-type]
                )
            )
            producer.send(MONITORING, key=key.encode(), value=envelope.SerializeToString()).get(timeout=30)
    finally:
        producer.close()


def _problems(e: Enforcement, station: str) -> list[pb.Problem]:
    return list(e.stub.ListProblems(pb.ListProblemsRequest(station_id=station), metadata=e.md()).problems)


def test_a_redelivered_alarm_opens_one_problem_and_a_new_one_is_appended(
    enforcement: Enforcement, kafka_bootstrap: str
) -> None:
    e = enforcement
    city(e)
    station = infra.unique("W-")
    first = events.make_envelope(source="monitoring", subject_id=station, payload=_exceedance(station))
    _send(kafka_bootstrap, station, first, first)  # delivered twice
    [problem] = infra.wait_for(lambda: _problems(e, station), timeout=30, what="the problem the alarm opens")
    assert (problem.grid_id, problem.source, problem.severity) == (
        "west",
        pb.PROBLEM_SOURCE_EXCEEDANCE,
        "medium",  # 1.9 mg/L is 0.27 times over its 1.5 limit
    )
    case = e.stub.GetCase(pb.GetCaseRequest(case_id=problem.case_id), metadata=e.md())
    assert case.evidence_count == 1
    [item] = e.stub.ListEvidence(
        pb.ListEvidenceRequest(case_id=case.case_id, include_content=True), metadata=e.md()
    ).evidence
    assert item.source_ref == first.event_id and b'"NH3N"' in item.content

    cleared = monitoring_pb2.ExceedanceCleared(
        exceedance=monitoring_pb2.Exceedance(station_id=station, parameter="NH3N")
    )
    _send(kafka_bootstrap, station, _exceedance(station, value=3.2), cleared)

    def appended_and_cleared() -> list[str]:
        [p] = _problems(e, station)
        whats = [h.what for h in p.history]
        return whats if "alarm cleared" in whats else []

    whats = infra.wait_for(appended_and_cleared, timeout=30, what="the second alarm and the clearing")
    assert whats == ["opened", "alarm appended", "alarm cleared"]
    [p] = _problems(e, station)
    assert p.stage == pb.CASE_STAGE_DISCOVERED  # cleared, not closed
    assert e.stub.GetCase(pb.GetCaseRequest(case_id=case.case_id), metadata=e.md()).evidence_count == 2


def test_a_decision_suspending_a_permit_suspends_it_in_permits(
    enforcement: Enforcement,
    kafka_bootstrap: str,
    start_service: Callable[..., RunningService],
    tmp_path: object,
) -> None:
    e = enforcement
    topics.create_topics_if_missing(topic_for("enforcement"))
    with infra.fresh_postgres_database() as permits_db:
        group = infra.unique("permits-test-")
        topics.start_group_at_end(group, topic_for("enforcement"))
        permits = start_service(
            "permits", permits_bootstrap.build, permits_db, clock=ManualClock(START), consumer_group=group
        )
        with channel(permits.address) as ch:
            stub = permits_pb2_grpc.PermitsServiceStub(ch)
            uscc = random_uscc()
            stub.RegisterEnterprise(
                permits_pb2.RegisterEnterpriseRequest(uscc=uscc, fields=fields_pb()), metadata=e.md()
            )
            outlet = stub.AddOutlet(
                permits_pb2.AddOutletRequest(
                    uscc=uscc,
                    kind=permits_pb2.OUTLET_KIND_WASTEWATER,
                    name="总排口",
                    location=common_pb2.GeoPoint(lat=30.2, lon=121.3),
                    receiving_river="三八江",
                ),
                metadata=e.md(),
            )
            number = stub.ApplyPermit(
                permits_pb2.ApplyPermitRequest(uscc=uscc, outlets=[limits_pb(outlet.outlet_id)]),
                metadata=e.md(),
            ).permit_number
            stub.StartPermitReview(permits_pb2.PermitActionRequest(permit_number=number), metadata=e.md())
            stub.IssuePermit(permits_pb2.IssuePermitRequest(permit_number=number), metadata=e.md())

            problem = e.stub.OpenProblem(
                pb.OpenProblemRequest(source=pb.PROBLEM_SOURCE_MANUAL, title="超标排放", uscc=uscc),
                metadata=e.md(),
            )
            cid = problem.case_id
            e.stub.TraceCase(pb.TraceCaseRequest(case_id=cid, responsible_uscc=uscc), metadata=e.md())
            head = e.stub.AddEvidence(
                pb.AddEvidenceRequest(case_id=cid, kind=pb.EVIDENCE_KIND_SAMPLE_REPORT, content=b"COD 180"),
                metadata=e.md(),
            ).item_sha256
            e.stub.LockEvidence(
                pb.LockEvidenceRequest(case_id=cid, expected_head_sha256=head), metadata=e.md()
            )
            e.stub.RecordInvestigation(
                pb.RecordInvestigationRequest(
                    case_id=cid,
                    investigation=pb.CaseInvestigation(
                        findings="COD 超标 0.8 倍", harm=pb.HARM_LEVEL_SERIOUS, inspector_ids=["i-1", "i-2"]
                    ),
                ),
                metadata=e.md(),
            )
            case = e.stub.DecideCase(
                pb.DecideCaseRequest(
                    case_id=cid,
                    decision=pb.CaseDecision(
                        document_number="慈环罚〔2026〕9号",
                        legal_basis="WPPL-83-2",
                        penalties=[pb.PENALTY_KIND_FINE, pb.PENALTY_KIND_SUSPEND_PERMIT],
                        fine_fen=30_000_000,
                        permit_number=number,
                        suspension_days=30,
                        rectify_by=_ts(timedelta(days=30)),
                    ),
                ),
                metadata=e.md(),
            )
            assert case.decision.legal_basis.startswith("《中华人民共和国水污染防治法》第八十三条")

            def suspended() -> bool:
                permit = stub.GetPermit(permits_pb2.GetPermitRequest(permit_number=number), metadata=e.md())
                return permit.status == permits_pb2.PERMIT_STATUS_SUSPENDED

            infra.wait_for(suspended, timeout=60, every=0.3, what="permits to suspend the permit")
            permits.stop()
