"""The risk routes' translation and validation, against a fake risk stub (no server): what reaches the
service, what comes back as JSON, refusals with the service's message, roles and call deadlines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from fastapi.testclient import TestClient
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import common_pb2, permits_pb2, risk_pb2
from gateway import operators
from gateway.routers import risk as risk_routes
from tests.unit.gateway.support import OFFICER_TOKEN, error_shape, gateway

OFFICER = {"Authorization": f"Bearer {OFFICER_TOKEN}"}
USCC = "91330282MA2PLAT01X"


class Refused(grpc.RpcError):
    """A gRPC refusal as a stub raises it."""

    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        self._code, self._details = code, details

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details


class FakeStub:
    """Any method: records (name, request, kwargs) and answers from `replies` (a message or an error)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Message, dict[str, Any]]] = []
        self.replies: dict[str, Message | Exception] = {}

    def __getattr__(self, name: str) -> Any:
        def call(request: Message, **kwargs: Any) -> Message:
            self.calls.append((name, request, kwargs))
            reply = self.replies[name]
            if isinstance(reply, Exception):
                raise reply
            return reply

        return call


def _ts(text: str) -> Timestamp:
    ts = Timestamp()
    ts.FromJsonString(text)
    return ts


HAZARD = risk_pb2.Hazard(
    hazard_id="hz-1",
    uscc=USCC,
    title="废液池防渗层破损",
    grade=risk_pb2.HAZARD_GRADE_MAJOR,
    source=risk_pb2.HAZARD_SOURCE_INSPECTION,
    location=common_pb2.GeoPoint(lat=30.2, lon=121.3),
    town="宗汉",
    rectify_by=_ts("2026-04-30T09:00:00Z"),
    status=risk_pb2.HAZARD_STATUS_OPEN,
    overdue=True,
    found_by=common_pb2.Actor(department="gateway", user="edge.officer"),
)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[TestClient, FakeStub]]:
    with gateway(tmp_path) as client:
        fake = FakeStub()
        client.app.state.clients.risk = fake  # type: ignore[attr-defined]
        yield client, fake


def _as(client: TestClient, role: str) -> dict[str, str]:
    token = f"tok-{role}"
    operators.create(
        client.app.state.engine,  # type: ignore[attr-defined]
        username=f"u-{role}",
        display_name=role,
        role=role,
        token=token,
        town="浒山" if role in ("grid", "grid_commissioner") else "",  # a commissioner has an area
    )
    return {"Authorization": f"Bearer {token}"}


def test_a_hazard_list_sends_the_filters_and_answers_json_with_paging(
    app: tuple[TestClient, FakeStub],
) -> None:
    client, fake = app
    fake.replies["ListHazards"] = risk_pb2.ListHazardsResponse(
        hazards=[HAZARD], page=common_pb2.PageInfo(next_page_token="p2", total=3)
    )
    answer = client.get(
        "/api/v1/hazards",
        params={
            "status": ["open", "Rectified"],
            "grade": "major",
            "town": "宗汉",
            "overdue_only": "true",
            "page_size": 2,
            "page_token": "p1",
        },
        headers=OFFICER,
    )
    assert answer.status_code == 200, answer.text
    name, request, kwargs = fake.calls[0]
    assert name == "ListHazards" and kwargs["timeout"] == risk_routes.CALL_TIMEOUT
    assert isinstance(request, risk_pb2.ListHazardsRequest)
    assert list(request.statuses) == [risk_pb2.HAZARD_STATUS_OPEN, risk_pb2.HAZARD_STATUS_RECTIFIED]
    assert request.grade == risk_pb2.HAZARD_GRADE_MAJOR and request.town == "宗汉" and request.overdue_only
    assert (request.page.page_size, request.page.page_token) == (2, "p1")
    body = answer.json()
    assert (body["next_page_token"], body["total"]) == ("p2", 3)
    [hazard] = body["hazards"]
    assert hazard["grade"] == "major" and hazard["source"] == "inspection" and hazard["status"] == "open"
    assert hazard["rectify_by"] == "2026-04-30T09:00:00Z" and hazard["overdue"] is True
    assert hazard["location"] == {"lat": 30.2, "lon": 121.3} and hazard["rectification"] is None


def test_a_bad_status_is_refused_naming_it_and_the_service_is_not_called(
    app: tuple[TestClient, FakeStub],
) -> None:
    client, fake = app
    answer = client.get("/api/v1/hazards", params={"status": ["open", "fixed"]}, headers=OFFICER)
    assert answer.status_code == 400 and error_shape(answer.json())
    assert answer.json()["message"].startswith("status[1]: must be one of open, rectified, closed")
    assert fake.calls == []


def test_reporting_a_hazard_translates_the_body_and_names_the_operator(
    app: tuple[TestClient, FakeStub],
) -> None:
    client, fake = app
    fake.replies["ReportHazard"] = HAZARD
    body = {
        "uscc": USCC,
        "title": "废液池防渗层破损",
        "grade": "MAJOR",
        "source": "inspection",
        "rectify_by": "2026-04-30T17:00:00+08:00",
        "required_measures": "更换防渗层",
    }
    answer = client.post("/api/v1/hazards", json=body, headers=OFFICER)
    assert answer.status_code == 201, answer.text
    _, request, _ = fake.calls[0]
    assert isinstance(request, risk_pb2.ReportHazardRequest)
    assert (
        request.grade == risk_pb2.HAZARD_GRADE_MAJOR and request.source == risk_pb2.HAZARD_SOURCE_INSPECTION
    )
    assert request.rectify_by.ToJsonString() == "2026-04-30T09:00:00Z"  # 17:00 in Cixi
    assert not request.HasField("location") and not request.HasField("found_at")
    assert request.actor.user == "edge.officer"
    assert answer.json()["hazard_id"] == "hz-1"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rectify_by": "2026-04-30T17:00:00"}, "rectify_by"),  # no offset: which day is ambiguous
        ({"grade": "severe"}, "grade"),
        ({"lat": 30.2}, "location"),
    ],
)
def test_a_bad_hazard_is_refused_before_the_service(
    app: tuple[TestClient, FakeStub], change: dict[str, Any], field: str
) -> None:
    client, fake = app
    body = {
        "uscc": USCC,
        "title": "t",
        "grade": "general",
        "source": "inspection",
        "rectify_by": "2026-04-30T17:00:00+08:00",
        **change,
    }
    answer = client.post("/api/v1/hazards", json=body, headers=OFFICER)
    assert answer.status_code == 400 and answer.json()["message"].startswith(f"{field}:")
    assert fake.calls == []


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (grpc.StatusCode.INVALID_ARGUMENT, 400),
        (grpc.StatusCode.NOT_FOUND, 404),
        (grpc.StatusCode.FAILED_PRECONDITION, 409),
        (grpc.StatusCode.UNAVAILABLE, 503),
        (grpc.StatusCode.DEADLINE_EXCEEDED, 504),
    ],
)
def test_the_services_refusal_keeps_its_message(
    app: tuple[TestClient, FakeStub], code: grpc.StatusCode, status: int
) -> None:
    client, fake = app
    fake.replies["ExtendHazardDeadline"] = Refused(code, "hazard hz-1: already extended once")
    answer = client.post(
        "/api/v1/hazards/hz-1/extend",
        json={"rectify_by": "2026-05-31T17:00:00+08:00", "reason": "材料到货延迟"},
        headers=OFFICER,
    )
    assert answer.status_code == status
    assert answer.json()["error"] == code.name
    assert answer.json()["message"] == "hazard hz-1: already extended once"
    _, request, _ = fake.calls[0]
    assert isinstance(request, risk_pb2.ExtendHazardDeadlineRequest)
    assert request.hazard_id == "hz-1" and request.reason == "材料到货延迟"


def test_roles(app: tuple[TestClient, FakeStub]) -> None:
    client, fake = app
    fake.replies["ListDepots"] = risk_pb2.ListDepotsResponse()
    assert client.get("/api/v1/depots").status_code == 401
    assert client.get("/api/v1/depots", headers=_as(client, "viewer")).status_code == 403
    assert client.get("/api/v1/depots", headers=_as(client, "grid")).status_code == 200
    inspector = _as(client, "inspector")
    emergency = {"title": "泄漏", "kind": "chemical_leak", "grade": "IV", "lat": 30.2, "lon": 121.3}
    assert client.post("/api/v1/emergencies", json=emergency, headers=inspector).status_code == 403
    restock = {"item_code": "activated_carbon", "delta": 10}
    assert client.post("/api/v1/depots/d-1/stock", json=restock, headers=inspector).status_code == 403
    assert [name for name, _, _ in fake.calls] == ["ListDepots"]


def test_declaring_an_emergency_sends_its_needs_and_grade(app: tuple[TestClient, FakeStub]) -> None:
    client, fake = app
    fake.replies["DeclareEmergency"] = risk_pb2.Emergency(
        emergency_id="em-1",
        grade=risk_pb2.EMERGENCY_GRADE_IV,
        status=risk_pb2.EMERGENCY_STATUS_RESPONDING,
        needs=[
            risk_pb2.SupplyAmount(
                item_code="activated_carbon", quantity=common_pb2.Quantity(value=500, unit="kg")
            )
        ],
        dispatch_ids=["dp-1"],
    )
    body = {
        "title": "含铬废液泄漏",
        "kind": "chemical_leak",
        "grade": "iv",
        "lat": 30.2,
        "lon": 121.3,
        "needs": [{"item_code": "activated_carbon", "value": 500, "unit": "kg"}],
    }
    answer = client.post("/api/v1/emergencies", json=body, headers=OFFICER)
    assert answer.status_code == 201, answer.text
    _, request, _ = fake.calls[0]
    assert isinstance(request, risk_pb2.DeclareEmergencyRequest)
    assert request.grade == risk_pb2.EMERGENCY_GRADE_IV
    assert [(n.item_code, n.quantity.value, n.quantity.unit) for n in request.needs] == [
        ("activated_carbon", 500, "kg")
    ]
    out = answer.json()
    assert out["grade"] == "IV" and out["status"] == "responding" and out["dispatch_ids"] == ["dp-1"]
    assert out["needs"][0]["value"] == 500 and out["location"] is None


def test_a_depot_answers_its_stock_and_low_items(app: tuple[TestClient, FakeStub]) -> None:
    client, fake = app

    def line(code: str, value: float, minimum: float, low: bool) -> risk_pb2.StockLine:
        return risk_pb2.StockLine(
            amount=risk_pb2.SupplyAmount(
                item_code=code, quantity=common_pb2.Quantity(value=value, unit="kg")
            ),
            minimum=common_pb2.Quantity(value=minimum, unit="kg"),
            reserved=common_pb2.Quantity(value=5, unit="kg"),
            low=low,
        )

    fake.replies["AdjustStock"] = risk_pb2.SupplyDepot(
        depot_id="d-1", stock=[line("absorbent", 50, 100, True), line("activated_carbon", 900, 200, False)]
    )
    answer = client.post(
        "/api/v1/depots/d-1/stock",
        json={"item_code": "activated_carbon", "delta": 200, "unit": "kg", "reason": "季度补库"},
        headers=OFFICER,
    )
    assert answer.status_code == 200, answer.text
    _, request, _ = fake.calls[0]
    assert isinstance(request, risk_pb2.AdjustStockRequest)
    assert request.depot_id == "d-1" and request.delta.value == 200 and not request.HasField("minimum")
    body = answer.json()
    assert body["low_items"] == ["absorbent"]
    assert body["stock"][1] == {
        "item_code": "activated_carbon",
        "item_name": "",
        "quantity": 900,
        "unit": "kg",
        "reserved": 5,
        "minimum": 200,
        "low": False,
        "updated_at": None,
    }


def test_the_enterprise_risk_shows_the_level_in_chinese_and_its_form(
    app: tuple[TestClient, FakeStub],
) -> None:
    client, fake = app
    fake.replies["GetEnterpriseRisk"] = risk_pb2.EnterpriseRisk(
        uscc=USCC,
        level=risk_pb2.RISK_LEVEL_MAJOR,
        assessed_level=risk_pb2.RISK_LEVEL_SIGNIFICANT,
        code="较大[较大-大气(Q2-M2-E3)+一般-水(Q1-M1-E2)]",
        adjustments=[risk_pb2.RiskAdjustment(cause=risk_pb2.RISK_CHANGE_CAUSE_HAZARD_OVERDUE, steps=1)],
    )
    body = client.get(f"/api/v1/enterprises/{USCC}/risk", headers=OFFICER).json()
    assert (body["level"], body["level_zh"], body["assessed_level"]) == ("major", "重大", "significant")
    assert body["code"] == "较大[较大-大气(Q2-M2-E3)+一般-水(Q1-M1-E2)]"
    assert body["adjustments"][0]["cause"] == "hazard_overdue"


def _record_with(client: TestClient, risk_reply: Message | Exception) -> Any:
    permits = FakeStub()
    permits.replies["GetEnterpriseRecord"] = permits_pb2.EnterpriseRecord(
        enterprise=permits_pb2.Enterprise(uscc=USCC)
    )
    client.app.state.clients.permits = permits  # type: ignore[attr-defined]
    client.app.state.clients.risk.replies["GetEnterpriseRisk"] = risk_reply  # type: ignore[attr-defined]
    answer = client.get(f"/api/v1/enterprises/{USCC}", headers=OFFICER)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_record_shows_the_risk_level_and_its_form(app: tuple[TestClient, FakeStub]) -> None:
    client, fake = app
    record = _record_with(
        client,
        risk_pb2.EnterpriseRisk(
            uscc=USCC, level=risk_pb2.RISK_LEVEL_SIGNIFICANT, code="较大[较大-大气(Q2-M2-E3)+一般-水(Q0)]"
        ),
    )
    assert record["risk"]["level"] == "significant" and record["risk"]["level_zh"] == "较大"
    assert record["risk"]["code"] == "较大[较大-大气(Q2-M2-E3)+一般-水(Q0)]"
    assert record["partial"] is False and record["warnings"] == []
    _, _, kwargs = fake.calls[0]
    assert kwargs["timeout"] == risk_routes.RECORD_SECTION_TIMEOUT


def test_the_record_is_partial_with_a_warning_when_risk_does_not_answer(
    app: tuple[TestClient, FakeStub],
) -> None:
    client, _ = app
    record = _record_with(client, Refused(grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded"))
    assert record["enterprise"]["uscc"] == USCC and record["risk"] is None and record["partial"] is True
    [warning] = record["warnings"]
    assert (
        warning.startswith("risk: the risk level and its form are missing") and "DEADLINE_EXCEEDED" in warning
    )


def test_an_enterprise_never_assessed_has_no_risk_section_and_no_warning(
    app: tuple[TestClient, FakeStub],
) -> None:
    client, _ = app
    record = _record_with(client, Refused(grpc.StatusCode.NOT_FOUND, f"enterprise risk {USCC} not found"))
    assert record["risk"] is None and record["partial"] is False and record["warnings"] == []
