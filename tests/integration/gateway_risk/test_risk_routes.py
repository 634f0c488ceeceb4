"""The gateway's risk routes against the real risk service (and permits for the enterprise record):
hazards from report to close, an emergency dispatched from the nearest depots, stock, manifests,
the enterprise's risk level; refusals keep the service's message."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest

from deploy.demo.risk_data import ASSESSMENTS
from eco.v1 import common_pb2, risk_pb2
from tests.integration.gateway_risk.conftest import RiskGateway, gateway_to
from tests.support import infra
from tests.unit.permits.factories import random_uscc

pytestmark = pytest.mark.integration
# Random places 0.01 degree apart (about 1 km): depots "near" and "far" from the emergency.
SITE = (30.21, 121.31)


def _later(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


def test_a_hazard_from_report_to_close(platform: RiskGateway) -> None:
    client, officer, inspector = platform.client, platform.headers("officer"), platform.headers("inspector")
    uscc = random_uscc()
    body = {
        "uscc": uscc,
        "title": "电镀废液池防渗层破损",
        "grade": "major",
        "source": "inspection",
        "lat": SITE[0],
        "lon": SITE[1],
        "rectify_by": _later(30),
        "required_measures": "更换防渗层并做闭水试验",
    }
    hazard = _ok(client.post("/api/v1/hazards", json=body, headers=inspector), 201)
    hazard_id = hazard["hazard_id"]
    assert hazard["status"] == "open" and hazard["grade"] == "major" and hazard["overdue"] is False

    listed = _ok(client.get("/api/v1/hazards", params={"uscc": uscc, "status": "open"}, headers=officer))
    assert [h["hazard_id"] for h in listed["hazards"]] == [hazard_id] and listed["total"] == 1
    none = _ok(client.get("/api/v1/hazards", params={"uscc": uscc, "grade": "general"}, headers=officer))
    assert none["hazards"] == []

    extended = _ok(
        client.post(
            f"/api/v1/hazards/{hazard_id}/extend",
            json={"rectify_by": _later(45), "reason": "防渗材料到货延迟"},
            headers=officer,
        )
    )
    assert (
        len(extended["deadline_changes"]) == 1
        and extended["deadline_changes"][0]["reason"] == "防渗材料到货延迟"
    )
    # A second extension is refused: the same status and message as the service gives a department.
    again = client.post(
        f"/api/v1/hazards/{hazard_id}/extend",
        json={"rectify_by": _later(60), "reason": "再延"},
        headers=officer,
    )
    with pytest.raises(grpc.RpcError) as direct:
        platform.risk.ExtendHazardDeadline(
            risk_pb2.ExtendHazardDeadlineRequest(
                hazard_id=hazard_id,
                rectify_by=extended_ts(_later(60)),
                reason="再延",
                actor=common_pb2.Actor(user="x"),
            ),
            metadata=platform.md,
        )
    assert again.status_code == 409 and again.json()["error"] == "FAILED_PRECONDITION"
    assert again.json()["message"] == direct.value.details()  # type: ignore[attr-defined]
    assert "already extended once" in again.json()["message"]

    rectified = _ok(
        client.post(
            f"/api/v1/hazards/{hazard_id}/rectification",
            json={"measures": "已更换防渗层", "evidence_refs": ["evidence/photo-1.jpg"]},
            headers=inspector,
        )
    )
    assert rectified["status"] == "rectified" and rectified["rectification"]["evidence_refs"] == [
        "evidence/photo-1.jpg"
    ]
    closed = _ok(
        client.post(
            f"/api/v1/hazards/{hazard_id}/verification",
            json={"accepted": True, "note": "闭水试验合格"},
            headers=officer,
        )
    )
    assert closed["status"] == "closed" and closed["closed_at"] is not None
    fetched = _ok(client.get(f"/api/v1/hazards/{hazard_id}", headers=officer))
    assert fetched["rectification"]["accepted"] is True and fetched["status"] == "closed"
    missing = client.get("/api/v1/hazards/00000000-0000-0000-0000-000000000000", headers=officer)
    assert missing.status_code == 404 and missing.json()["error"] == "NOT_FOUND"


def extended_ts(text: str) -> Any:
    """A Timestamp from ISO text."""
    from google.protobuf.timestamp_pb2 import Timestamp

    ts = Timestamp()
    ts.FromDatetime(datetime.fromisoformat(text))
    return ts


def _depot(platform: RiskGateway, name: str, lat: float, lon: float, carbon_kg: float) -> str:
    line = risk_pb2.StockLine(
        amount=risk_pb2.SupplyAmount(
            item_code="activated_carbon", quantity=common_pb2.Quantity(value=carbon_kg, unit="kg")
        ),
        minimum=common_pb2.Quantity(value=100, unit="kg"),
    )
    depot = risk_pb2.SupplyDepot(
        name=name,
        location=common_pb2.GeoPoint(lat=lat, lon=lon),
        town="宗汉",
        department="生态环境分局",
        stock=[line],
        active=True,
    )
    created = platform.risk.CreateDepot(risk_pb2.CreateDepotRequest(depot=depot), metadata=platform.md)
    return created.depot_id  # type: ignore[no-any-return]


def test_an_emergency_takes_supplies_from_the_nearest_depots(platform: RiskGateway) -> None:
    client, officer = platform.client, platform.headers("officer")
    near = _depot(platform, infra.unique("近库-"), SITE[0] + 0.01, SITE[1], 300)
    far = _depot(platform, infra.unique("远库-"), SITE[0] + 0.05, SITE[1], 400)
    need = [{"item_code": "activated_carbon", "value": 500, "unit": "kg"}]

    plan = _ok(
        client.post(
            "/api/v1/dispatch/plan", json={"lat": SITE[0], "lon": SITE[1], "needs": need}, headers=officer
        )
    )
    assert [(x["depot_id"], x["amount"]["value"]) for x in plan["lines"]] == [(near, 300), (far, 200)]
    assert plan["unmet"] == [] and plan["lines"][0]["distance_m"] < plan["lines"][1]["distance_m"]
    # Nearest first from the site, a page of one at a time.
    params = {"near_lat": SITE[0], "near_lon": SITE[1], "item_code": "activated_carbon", "page_size": 1}
    first = _ok(client.get("/api/v1/depots", params=params, headers=officer))
    second = _ok(
        client.get(
            "/api/v1/depots", params={**params, "page_token": first["next_page_token"]}, headers=officer
        )
    )
    assert [d["depot_id"] for d in first["depots"] + second["depots"]] == [near, far]
    assert second["next_page_token"] == ""

    untouched = _ok(client.get(f"/api/v1/depots/{near}", headers=officer))
    assert untouched["stock"][0]["quantity"] == 300  # a plan reserves nothing

    declared = _ok(
        client.post(
            "/api/v1/emergencies",
            json={
                "title": "含铬废液泄漏",
                "kind": "chemical_leak",
                "grade": "IV",
                "lat": SITE[0],
                "lon": SITE[1],
                "radius_m": 500,
                "needs": need,
            },
            headers=officer,
        ),
        201,
    )
    emergency_id = declared["emergency_id"]
    assert declared["status"] == "responding" and len(declared["dispatch_ids"]) == 1
    near_after = _ok(client.get(f"/api/v1/depots/{near}", headers=officer))["stock"][0]
    far_after = _ok(client.get(f"/api/v1/depots/{far}", headers=officer))["stock"][0]
    assert near_after["quantity"] == 0 and far_after["quantity"] == 200
    assert near_after["low"] is True and far_after["low"] is False

    # More than is left within reach: what is there is taken, the rest reported unmet.
    order = _ok(
        client.post(
            f"/api/v1/emergencies/{emergency_id}/dispatches",
            json={"needs": [{"item_code": "activated_carbon", "value": 250, "unit": "kg"}]},
            headers=officer,
        ),
        201,
    )
    assert [(x["depot_id"], x["amount"]["value"]) for x in order["lines"]] == [(far, 200)]
    assert [(u["item_code"], u["value"]) for u in order["unmet"]] == [("activated_carbon", 50)]

    no_reason = client.post(
        f"/api/v1/depots/{far}/stock", json={"item_code": "activated_carbon", "delta": -10}, headers=officer
    )
    assert no_reason.status_code == 400 and no_reason.json()["message"].startswith("reason:"), no_reason.text
    too_much = client.post(
        f"/api/v1/depots/{far}/stock",
        json={"item_code": "activated_carbon", "delta": -10, "reason": "报废"},
        headers=officer,
    )
    assert too_much.status_code == 409 and "below zero" in too_much.json()["message"], too_much.text
    restocked = _ok(
        client.post(
            f"/api/v1/depots/{near}/stock",
            json={"item_code": "activated_carbon", "delta": 150, "unit": "kg", "reason": "补库"},
            headers=officer,
        )
    )
    assert restocked["stock"][0]["quantity"] == 150 and restocked["low_items"] == []

    responding = _ok(client.get("/api/v1/emergencies", params={"status": "responding"}, headers=officer))
    assert emergency_id in [e["emergency_id"] for e in responding["emergencies"]]
    closed = _ok(
        client.post(f"/api/v1/emergencies/{emergency_id}/close", json={"summary": "已处置"}, headers=officer)
    )
    assert closed["status"] == "closed" and closed["summary"] == "已处置"
    page = _ok(
        client.get("/api/v1/emergencies", params={"status": "closed", "page_size": 1}, headers=officer)
    )
    assert [e["emergency_id"] for e in page["emergencies"]] == [emergency_id]


def test_manifests_and_the_enterprises_risk_level(platform: RiskGateway) -> None:
    client, inspector = platform.client, platform.headers("inspector")
    uscc = random_uscc()
    manifest = platform.risk.CreateManifest(
        risk_pb2.CreateManifestRequest(
            producer_uscc=uscc,
            waste_code="336-064-17",
            waste_name="电镀污泥",
            receiver="宁波北仑危废处置中心",
            quantity_kg=1200,
            actor=common_pb2.Actor(user="test"),
        ),
        metadata=platform.md,
    )
    listed = _ok(client.get("/api/v1/manifests", params={"producer_uscc": uscc}, headers=inspector))
    assert [m["manifest_id"] for m in listed["manifests"]] == [manifest.manifest_id]
    one = _ok(client.get(f"/api/v1/manifests/{manifest.manifest_id}", headers=inspector))
    assert one["status"] == "generated" and one["steps"][0]["quantity_kg"] == 1200

    assessed = _assess(platform, uscc)
    risk = _ok(client.get(f"/api/v1/enterprises/{uscc}/risk", headers=inspector))
    assert risk["code"] == assessed.code and risk["level"] == "significant" and risk["level_zh"] == "较大"
    history = _ok(client.get(f"/api/v1/enterprises/{uscc}/risk/assessments", headers=inspector))
    [a] = history["assessments"]
    assert a["water"]["q_level"] == "Q1" and a["water"]["m_level"] == "M2" and a["water"]["e_level"] == "E2"
    assert a["air"]["q_level"] == "Q0" and a["code"] == assessed.code


def _assess(platform: RiskGateway, uscc: str) -> risk_pb2.RiskAssessment:
    """The demo's electroplating assessment (HJ 941-2018: water Q1-M2-E2 较大, air Q0) for `uscc`."""
    record = risk_pb2.RiskAssessment(
        uscc=uscc,
        source=risk_pb2.ASSESSMENT_SOURCE_SELF,
        document_ref=infra.unique("filing-"),
        assessor=common_pb2.Actor(user="test"),
        inputs=ASSESSMENTS[0].inputs,
    )
    return platform.risk.RecordAssessment(  # type: ignore[no-any-return]
        risk_pb2.RecordAssessmentRequest(assessment=record), metadata=platform.md
    )


def _register(client: Any, headers: dict[str, str]) -> str:
    uscc = random_uscc()
    body = {
        "uscc": uscc,
        "name": "慈溪市示范电镀有限公司",
        "legal_representative": "陈刚",
        "contact": {"person": "周丽", "phone": "0574-63111111"},
        "industry_code": "C3360",
        "address": "浙江省慈溪市宗汉街道",
        "town": "宗汉",
        "grid": "宗汉-01",
        "lat": SITE[0],
        "lon": SITE[1],
        "permit_class": "key",
    }
    _ok(client.post("/api/v1/enterprises", json=body, headers=headers), 201)
    return uscc


def test_the_record_shows_the_risk_level_and_its_form(platform: RiskGateway) -> None:
    officer = platform.headers("officer")
    uscc = _register(platform.client, platform.headers("permit_officer"))  # registering is theirs
    before = _ok(platform.client.get(f"/api/v1/enterprises/{uscc}", headers=officer))
    assert before["risk"] is None and before["partial"] is False  # not assessed yet: nothing missing
    assessed = _assess(platform, uscc)
    record = _ok(platform.client.get(f"/api/v1/enterprises/{uscc}", headers=officer))
    assert record["enterprise"]["uscc"] == uscc
    assert record["risk"]["code"] == assessed.code == "较大[一般-大气(Q0)+较大-水(Q1-M2-E2)]"
    assert record["risk"]["level_zh"] == "较大" and record["warnings"] == []


@pytest.mark.parametrize("how", ["down", "silent"])
def test_the_record_is_partial_when_risk_does_not_answer(
    how: str, tmp_path: Path, permits_service: Any
) -> None:
    # down: nothing listens; silent: a socket that accepts and never answers (a hung peer).
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        address = (
            f"127.0.0.1:{silent.getsockname()[1]}" if how == "silent" else f"127.0.0.1:{infra.free_port()}"
        )
        with gateway_to(tmp_path, permits=permits_service.address, risk=address) as client:
            gw = RiskGateway(client, None, ())  # type: ignore[arg-type]
            officer = gw.headers("officer")
            uscc = _register(client, gw.headers("permit_officer"))
            started = time.monotonic()
            answer = client.get(f"/api/v1/enterprises/{uscc}", headers=officer)
            elapsed = time.monotonic() - started
    record = _ok(answer)
    assert elapsed < 8  # the section's own deadline (3 s), not the whole record's
    assert record["enterprise"]["uscc"] == uscc and record["risk"] is None and record["partial"] is True
    [warning] = record["warnings"]
    assert warning.startswith("risk: the risk level and its form are missing")
    assert ("UNAVAILABLE" if how == "down" else "DEADLINE_EXCEEDED") in warning
