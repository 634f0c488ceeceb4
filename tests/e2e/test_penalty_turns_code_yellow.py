"""DESIGN.md flow 1's end: a penalty decided in enforcement turns a green code yellow on the public page.

Enforcement, evaluation and the code service run in-process on PostgreSQL and the real Kafka topics
(each consumer group starting at the topics' current end), with the gateway in front. The enterprise's
registration is published on a test topic standing in for permits'. Everything after it goes through
the platform: enforcement walks a case through the closed loop over gRPC and decides a fine; its
PenaltyDecided reaches evaluation, which rates by rules/cixi-credit-1.json (100 - 20 for a fine = 80,
blue by score, but a fine caps the level at yellow) and publishes CreditChanged; the code service
recolours the code; the page a scanned code opens shows yellow, its label and its date.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from google.protobuf.timestamp_pb2 import Timestamp
from kafka import KafkaProducer

from eco.v1 import common_pb2, enforcement_pb2, enforcement_pb2_grpc
from eco.v1 import enforcement_pb2 as S
from services.codes.bootstrap import build as build_codes
from services.enforcement import bootstrap as enforcement_bootstrap
from services.enforcement.entrypoints.consumers import TOPICS as ENFORCEMENT_READS
from services.evaluation.bootstrap import build as build_evaluation
from shared.clock import ManualClock
from shared.grpc.client import channel
from shared.runtime import RunningService
from shared.topology import topic_for
from shared.vocabulary import CREDIT_LEVELS
from tests.integration.codes.harness import create_topics
from tests.integration.enforcement.conftest import Enforcement
from tests.integration.enforcement.grids import city
from tests.integration.gateway_public.harness import gateway, operator_headers
from tests.support import infra
from tests.support.topics import group_from_now
from tests.unit.codes import factories as codes_factories
from tests.unit.evaluation import envelopes as e

pytestmark = pytest.mark.e2e
Start = Callable[..., RunningService]
JSON = {"Accept": "application/json"}
WHO = common_pb2.Actor(department="bureau", user="inspector.e2e", reason="e2e")


def _ts(when: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(when)
    return stamp


def _fine(e: Enforcement, uscc: str, now: datetime) -> enforcement_pb2.Case:
    """Open a problem at the enterprise and take its case to a decided fine (the demo's way)."""
    stub, md = e.stub, e.md()
    problem = stub.OpenProblem(
        S.OpenProblemRequest(
            source=S.PROBLEM_SOURCE_MANUAL,
            source_ref=infra.unique("e2e-"),
            title="超标排放废水",
            description="在线监测显示 COD 超标",
            category="water",
            uscc=uscc,
            location=common_pb2.GeoPoint(lat=30.15, lon=121.25),
            occurred_at=_ts(now - timedelta(days=2)),
            actor=WHO,
        ),
        metadata=md,
    )
    cid = problem.case_id
    stub.TraceCase(
        S.TraceCaseRequest(case_id=cid, responsible_uscc=uscc, note="现场核实", actor=WHO), metadata=md
    )
    stub.AddEvidence(
        S.AddEvidenceRequest(
            case_id=cid,
            kind=S.EVIDENCE_KIND_RECORD,
            description="现场检查笔录",
            media_type="text/plain",
            content="现场检查笔录".encode(),
            collected_at=_ts(now - timedelta(days=1)),
            collected_by=WHO,
        ),
        metadata=md,
    )
    head = stub.GetCase(S.GetCaseRequest(case_id=cid), metadata=md).evidence_head_sha256
    stub.LockEvidence(S.LockEvidenceRequest(case_id=cid, expected_head_sha256=head, actor=WHO), metadata=md)
    stub.RecordInvestigation(
        S.RecordInvestigationRequest(
            case_id=cid,
            investigation=S.CaseInvestigation(
                findings="超标排放水污染物",
                violations=["超标排放水污染物"],
                first_violation=True,
                harm=S.HARM_LEVEL_SLIGHT,
                inspector_ids=["I-E2E-01", "I-E2E-02"],
                investigated_at=_ts(now - timedelta(hours=2)),
                actor=WHO,
            ),
        ),
        metadata=md,
    )
    decision = S.CaseDecision(
        uscc=uscc,
        violation="超标排放水污染物",
        legal_basis="WPPL-83-2",
        penalties=[S.PENALTY_KIND_FINE],
        fine_fen=20_000_000,  # 200,000 yuan, within 水污染防治法 art. 83's range
        rectify_by=_ts(now + timedelta(days=30)),
        decided_by=WHO,
        document_number=f"慈环罚〔{now.year}〕{random.randint(100, 999)}号",
    )
    return stub.DecideCase(S.DecideCaseRequest(case_id=cid, decision=decision), metadata=md)


@pytest.fixture
def databases() -> Iterator[tuple[str, str, str]]:
    """Fresh databases for enforcement, evaluation and codes (asked for before start_service, so
    they outlive the services)."""
    with (
        infra.fresh_postgres_database() as enforcement_url,
        infra.fresh_postgres_database() as evaluation_url,
        infra.fresh_postgres_database() as codes_url,
    ):
        yield enforcement_url, evaluation_url, codes_url


def test_a_penalty_decided_in_enforcement_turns_a_green_code_yellow_on_the_public_page(
    databases: tuple[str, str, str], start_service: Start, tmp_path: Path
) -> None:
    permits_topic = infra.unique("test.permits.")
    create_topics(permits_topic)
    evaluation_topic, enforcement_topic = topic_for("evaluation"), topic_for("enforcement")
    enforcement_url, evaluation_url, codes_url = databases
    clock = ManualClock(datetime.now(UTC))
    enforcement_service = start_service(
        "enforcement",
        enforcement_bootstrap.build,
        enforcement_url,
        clock=clock,
        escalation_every=3600.0,
        consumer_group=group_from_now("enforcement-e2e-", *ENFORCEMENT_READS),
    )
    evaluation = start_service(
        "evaluation",
        build_evaluation,
        evaluation_url,
        consumer_group=group_from_now("evaluation-e2e-", enforcement_topic, evaluation_topic),
        topics=[permits_topic, enforcement_topic, evaluation_topic],
    )
    codes = start_service(
        "codes",
        build_codes,
        codes_url,
        keys=codes_factories.keys(),
        topics=[permits_topic, evaluation_topic],
        group_id=group_from_now("codes-e2e-", evaluation_topic),
        env={
            **infra.service_env(database_url=codes_url, run_dir=tmp_path),
            "ECO_PERMITS_ADDR": f"127.0.0.1:{infra.free_port()}",
        },
    )
    ch = channel(enforcement_service.address)
    enforcement = Enforcement(enforcement_service, enforcement_pb2_grpc.EnforcementServiceStub(ch), clock)
    try:
        with gateway(
            tmp_path,
            codes_address=codes.address,
            enforcement_address=enforcement_service.address,
            evaluation_address=evaluation.address,
        ) as client:
            _story(client, enforcement, permits_topic)
    finally:
        ch.close()


def _story(client: TestClient, enforcement: Enforcement, permits_topic: str) -> None:
    uscc, now = codes_factories.make_uscc(random.Random()), enforcement.clock.now()
    producer = KafkaProducer(bootstrap_servers=infra.KAFKA.split(","), acks="all")
    registration = e.registered(uscc, now - timedelta(days=30), town="浒山", name="慈溪市浒山测试电镀厂")
    producer.send(permits_topic, key=uscc.encode(), value=registration.SerializeToString()).get(10)
    producer.close()
    officer = operator_headers(client, "officer")

    def code_path() -> str | None:
        answer = client.get(f"/api/v1/enterprises/{uscc}/code", headers=officer)
        return urlsplit(answer.json()["url"]).path if answer.status_code == 200 else None

    path = infra.wait_for(code_path, timeout=60, what="the code issued on registration")

    def credit_on_page(level: str) -> dict[str, str] | None:
        answer = client.get(path, headers=JSON)
        credit: dict[str, str] = answer.json()["credit"] if answer.status_code == 200 else {}
        return credit if credit.get("level") == level else None

    green = infra.wait_for(lambda: credit_on_page("green"), timeout=60, what="the code to turn green")
    assert (green["colour"], green["label"]) == (CREDIT_LEVELS["green"].colour, "环保诚信企业")

    city(enforcement)
    case = _fine(enforcement, uscc, now)
    assert case.stage == S.CASE_STAGE_DECIDED and list(case.decision.penalties) == [S.PENALTY_KIND_FINE]

    yellow = infra.wait_for(lambda: credit_on_page("yellow"), timeout=60, what="the code to turn yellow")
    assert (yellow["colour"], yellow["label"]) == ("#e6ab02", "环保警示企业")
    assert yellow["meaning"] == CREDIT_LEVELS["yellow"].meaning
    assert yellow["as_of"] is not None and yellow["as_of"] >= green["as_of"]
    page = client.get(path)
    assert page.status_code == 200 and "环保警示企业" in page.text and "#e6ab02" in page.text
    # The explanation behind it, for an operator: the fine, its rule and its points.
    credit = client.get(f"/api/v1/enterprises/{uscc}/credit", headers=officer).json()
    assert [(r["rule_id"], r["points"], r["subject"]) for r in credit["reasons"]] == [
        ("penalty.fine", -20.0, case.case_id)
    ]
