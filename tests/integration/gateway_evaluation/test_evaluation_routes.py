"""The gateway's evaluation routes against the real evaluation service (in-process, on PostgreSQL and
real Kafka): an enterprise's registration, a problem, a fine and its verified rectification published
on test topics become its credit, history, KPIs, scorecard, hotspots and the status report over
HTTP; a credit-repair request is entered, refused twice over, approved, and the level comes back."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaProducer

from eco.v1 import enforcement_pb2, events_pb2
from services.evaluation.bootstrap import build as build_evaluation
from shared.china_time import local_day
from shared.runtime import RunningService
from shared.topology import topic_for
from tests.integration.codes.harness import create_topics
from tests.integration.gateway_public.harness import gateway, operator_headers
from tests.support import infra
from tests.support.topics import group_from_now
from tests.unit.codes import factories as codes_factories
from tests.unit.evaluation import envelopes as e

pytestmark = pytest.mark.integration
TOWN = "浒山"


class Story:
    """Test topics standing in for permits' and enforcement's, and a producer on them."""

    def __init__(self) -> None:
        self.permits, self.enforcement = infra.unique("test.permits."), infra.unique("test.enforcement.")
        create_topics(self.permits, self.enforcement)
        self.producer = KafkaProducer(bootstrap_servers=infra.KAFKA.split(","), acks="all")

    def publish(self, topic: str, envelope: events_pb2.EventEnvelope) -> None:
        """Publish as a relay would (keyed by subject)."""
        key = envelope.subject_id.encode()
        self.producer.send(topic, key=key, value=envelope.SerializeToString()).get(10)


@pytest.fixture
def setting(
    pg_url: str, start_service: Callable[..., RunningService], tmp_path: Path
) -> Iterator[tuple[TestClient, Story]]:
    """Evaluation on the story's topics and its own (a decided repair comes back to it as a fact,
    read from now on), and the gateway calling it."""
    story = Story()
    own = topic_for("evaluation")
    evaluation = start_service(
        "evaluation",
        build_evaluation,
        pg_url,
        consumer_group=group_from_now("evaluation-gw-test-", own),
        topics=[story.permits, story.enforcement, own],
    )
    dead = f"127.0.0.1:{infra.free_port()}"
    with gateway(
        tmp_path, codes_address=dead, enforcement_address=dead, evaluation_address=evaluation.address
    ) as client:
        yield client, story
    story.producer.close()


def _get(client: TestClient, path: str, headers: dict[str, str], **params: Any) -> Any:
    answer = client.get(path, params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_credit_figures_and_report_over_http(setting: tuple[TestClient, Story]) -> None:
    client, story = setting
    viewer, officer, admin = (operator_headers(client, role) for role in ("viewer", "officer", "admin"))
    uscc, now = codes_factories.make_uscc(random.Random()), datetime.now(UTC)
    today = local_day(now)
    case = infra.unique("case-")
    story.publish(story.permits, e.registered(uscc, now - timedelta(days=30), town=TOWN))
    story.publish(
        story.enforcement, e.problem(infra.unique("p-"), case, now - timedelta(days=5), uscc=uscc, town=TOWN)
    )
    story.publish(story.enforcement, e.penalty(uscc, case, now - timedelta(days=2)))
    path = f"/api/v1/enterprises/{uscc}/credit"

    def level() -> str | None:
        answer = client.get(path, headers=viewer)
        return answer.json()["level"]["level"] if answer.status_code == 200 else None

    infra.wait_for(lambda: level() == "yellow", timeout=60, what="the fine to turn the credit yellow")
    credit = _get(client, path, viewer)
    # cixi-credit-1: 100 - 20 for a fine = 80 (blue by score), and a fine caps the level at yellow.
    assert (credit["score"], credit["score_level"], credit["ceiling"]) == (80.0, "blue", "yellow")
    assert credit["level"]["colour"] == "#e6ab02" and credit["level"]["label"] == "环保警示企业"
    assert [(r["rule_id"], r["points"]) for r in credit["reasons"]] == [("penalty.fine", -20.0)]
    assert credit["rules_version"] == "cixi-credit-1" and credit["since"] is not None
    history = _get(client, f"{path}/history", viewer)
    assert [x["level"]["level"] for x in history["entries"]] == ["green", "yellow"]

    listed = _get(client, "/api/v1/credits", viewer, level="yellow", town=TOWN, page_size=500)
    assert uscc in [c["uscc"] for c in listed["credits"]]

    # Repair: no penalty in that case; the rectification not verified yet; then verified and approved.
    nothing = client.post(
        f"{path}/repairs", json={"case_id": "no-such-case", "reason": "整改"}, headers=officer
    )
    assert nothing.status_code == 409 and "decided no penalty" in nothing.json()["message"]
    early = client.post(f"{path}/repairs", json={"case_id": case, "reason": "整改"}, headers=officer)
    assert early.status_code == 409 and "not been verified" in early.json()["message"]
    story.publish(
        story.enforcement,
        e.case_advanced(
            case,
            enforcement_pb2.CASE_STAGE_RECTIFIED,
            now - timedelta(days=1),
            uscc=uscc,
            town=TOWN,
            verified=True,
        ),
    )

    def request_repair() -> dict[str, Any] | None:
        answer = client.post(
            f"{path}/repairs", json={"case_id": case, "reason": "整改完成并经复查"}, headers=officer
        )
        return answer.json() if answer.status_code == 201 else None

    repair = infra.wait_for(request_repair, timeout=60, what="the verified rectification to be counted")
    assert repair["status"] == "requested" and repair["case_id"] == case
    again = client.post(f"{path}/repairs", json={"case_id": case, "reason": "再次"}, headers=officer)
    assert again.status_code == 409
    pending = _get(client, "/api/v1/credit/repairs", viewer, uscc=uscc, status="requested")
    assert [r["request_id"] for r in pending["repairs"]] == [repair["request_id"]]
    decision = f"/api/v1/credit/repairs/{repair['request_id']}/decision"
    assert client.post(decision, json={"approve": True}, headers=officer).status_code == 403
    decided = client.post(decision, json={"approve": True, "note": "同意修复"}, headers=admin)
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    assert decided.json()["decided_by"].startswith("gateway/op-")  # the gateway and the deciding admin
    infra.wait_for(lambda: level() == "green", timeout=60, what="the approved repair to restore green")

    # KPIs of the town: one problem opened in the period and none closed; the key-class enterprise
    # holds no discharge permit.
    start = (today - timedelta(days=10)).isoformat()
    closure = _get(
        client,
        "/api/v1/kpis/problem_closure_rate",
        viewer,
        town=TOWN,
        **{"from": start, "to": today.isoformat()},
    )
    assert (closure["numerator"], closure["denominator"], closure["value"]) == (0, 1, 0.0)
    assert closure["from"] == start and closure["newest_event_at"] is not None
    kpis = {
        k["name"]: k for k in _get(client, "/api/v1/kpis", viewer, town=TOWN, at=today.isoformat())["kpis"]
    }
    assert (
        kpis["discharge_permit_holding_rate"]["numerator"],
        kpis["discharge_permit_holding_rate"]["denominator"],
    ) == (0, 1)
    bad = client.get("/api/v1/kpis/happiness", headers=viewer)
    assert bad.status_code == 400 and bad.json()["message"].startswith("name:")

    card = _get(client, f"/api/v1/scorecards/town/{TOWN}", viewer, **{"from": start})
    assert card["subject"] == f"town:{TOWN}" and card["rank"] >= 1 and card["kpis"]
    cards = _get(client, "/api/v1/scorecards", viewer, page_size=500, **{"from": start})
    assert f"town:{TOWN}" in [c["subject"] for c in cards["scorecards"]]
    spots = _get(client, "/api/v1/hotspots", viewer, dimension="town", **{"from": start})
    assert {"key": TOWN, "problems": 1} in [
        {"key": s["key"], "problems": s["problems"]} for s in spots["hotspots"]
    ]

    period = {"from": start, "to": today.isoformat()}
    pdf = client.get("/api/v1/reports/status.pdf", params=period, headers=viewer)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert (
        pdf.headers["content-disposition"]
        == f'attachment; filename="status-report-{start}-{today.isoformat()}.pdf"'
    )
    assert pdf.content.startswith(b"%PDF")
    html = client.get("/api/v1/reports/status.html", params=period, headers=viewer)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "生态环境状况报告" in html.text
