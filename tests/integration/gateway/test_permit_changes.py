"""The permit-changing routes (issue 15) over REST against the real permits service (PostgreSQL,
Kafka): an enterprise registered, given an outlet and changed, a permit applied for, reviewed and
issued, an EIA application accepted, and rights allocated and transferred, every step through the
gateway as a permit officer; the service's refusals come back naming the field as sent."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway import config
from gateway.app import create_app
from services.permits import bootstrap
from shared.runtime import RunningService
from tests.integration.gateway.conftest import enterprise_in
from tests.integration.gateway_public.harness import operator_headers
from tests.support import infra
from tests.unit.permits.factories import random_uscc

pytestmark = pytest.mark.integration


@pytest.fixture
def client(tmp_path: Path, pg_url: str, start_service: Callable[..., RunningService]) -> Iterator[TestClient]:
    permits = start_service("permits", bootstrap.build, pg_url, consumer_group=infra.unique("permits-chg-"))
    with infra.fresh_postgres_database() as gateway_db:
        env = {
            "ECO_RUN_DIR": str(tmp_path),
            "ECO_GATEWAY_INDEXER": "0",
            "ECO_GATEWAY_DATABASE_URL": gateway_db,
            "ECO_PERMITS_ADDR": permits.address,
            "KAFKA_BOOTSTRAP_SERVERS": infra.KAFKA,
            "ELASTICSEARCH_URL": infra.ES_URL,
        }
        with TestClient(create_app(config.load(env))) as test_client:
            yield test_client


def _registered(client: TestClient, officer: dict[str, str]) -> str:
    uscc = random_uscc()
    created = client.post("/api/v1/enterprises", json=enterprise_in(uscc), headers=officer)
    assert created.status_code == 201, created.text
    return uscc


def _ok(answer: Any, status: int = 200) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_apply_review_issue_over_rest(client: TestClient) -> None:
    officer = operator_headers(client, "permit_officer")
    uscc = _registered(client, officer)
    outlet_in = {
        "kind": "wastewater",
        "name": "总排口",
        "lat": 30.161,
        "lon": 121.151,
        "receiving_river": "四灶浦",
        "monitored_pollutants": ["COD", "NH3N"],
    }
    outlet = _ok(client.post(f"/api/v1/enterprises/{uscc}/outlets", json=outlet_in, headers=officer), 201)
    assert outlet["outlet_id"] == f"{uscc}-DW001" and outlet["kind"] == "wastewater"
    changed = _ok(client.patch(f"/api/v1/enterprises/{uscc}", json={"grid": "周巷-03"}, headers=officer))
    assert changed["fields"]["grid"] == "周巷-03" and changed["fields"]["name"] == enterprise_in(uscc)["name"]

    def limit(parameter: str, value: float, tonnes: float) -> dict[str, Any]:
        return {
            "parameter": parameter,
            "concentration_limit": {"value": value, "unit": "mg/L"},
            "annual_tonnes": tonnes,
        }

    application = {
        "uscc": uscc,
        "outlets": [
            {"outlet_id": outlet["outlet_id"], "limits": [limit("COD", 50, 12.5), limit("NH3N", 5, 1.2)]}
        ],
        "reason": "企业提交申请",
    }
    # A waste-gas parameter at a wastewater outlet: the service's refusal names the field as sent.
    wrong = {**application, "outlets": [{"outlet_id": outlet["outlet_id"], "limits": [limit("SO2", 50, 1)]}]}
    refused = client.post("/api/v1/permits", json=wrong, headers=officer)
    assert refused.status_code == 400, refused.text
    assert refused.json()["message"].startswith("outlets[0].limits[0].parameter:")

    applied = _ok(client.post("/api/v1/permits", json=application, headers=officer), 201)
    number = applied["permit_number"]
    assert applied["status"] == "applied" and applied["uscc"] == uscc
    assert applied["last_action"]["reason"] == "企业提交申请"
    # Steps out of order are the service's to refuse (409), and an inspector takes none of them.
    assert client.post(f"/api/v1/permits/{number}/issue", json={}, headers=officer).status_code == 409
    inspector = operator_headers(client, "inspector")
    assert client.post("/api/v1/permits", json=application, headers=inspector).status_code == 403
    _ok(client.post(f"/api/v1/permits/{number}/review", json={"reason": "受理"}, headers=officer))
    issued = _ok(client.post(f"/api/v1/permits/{number}/issue", json={"reason": "审核通过"}, headers=officer))
    assert issued["status"] == "issued" and issued["valid_from"] and issued["valid_until"]
    limits = {lim["parameter"]: lim["annual_tonnes"] for lim in issued["outlets"][0]["limits"]}
    assert limits == {"COD": 12.5, "NH3N": 1.2}
    assert _ok(client.get(f"/api/v1/permits/{number}", headers=inspector))["status"] == "issued"

    eia_in = {"uscc": uscc, "project_name": "印染技改项目", "document_type": "report_form", "reason": "受理"}
    eia = _ok(client.post("/api/v1/eia", json=eia_in, headers=officer), 201)
    assert eia["status"] == "accepted" and eia["days_left"] == 30  # 报告表: 30 days (EIA Law art. 22)


def test_a_rights_transfer_over_rest(client: TestClient) -> None:
    officer = operator_headers(client, "permit_officer")
    seller, buyer = _registered(client, officer), _registered(client, officer)
    # No cap yet on this test's own database: nothing to allocate from.
    assert client.get("/api/v1/rights/NH3N", headers=officer).status_code == 404
    cap_in = {"cap_tonnes": 100, "reason": "年度总量指标"}
    position = _ok(client.put("/api/v1/rights/nh3n/cap", json=cap_in, headers=officer))
    assert position == {"pollutant": "NH3N", "cap_tonnes": 100.0, "reserve_tonnes": 100.0, "holdings": []}
    allocation = {"uscc": seller, "tonnes": 10, "reason": "初始排污权核定"}
    _ok(client.post("/api/v1/rights/NH3N/allocations", json=allocation, headers=officer), 201)
    trade = {"from_uscc": seller, "to_uscc": buyer, "tonnes": 4.5, "reason": "交易合同 2026-017"}
    entry = _ok(client.post("/api/v1/rights/NH3N/transfers", json=trade, headers=officer), 201)
    assert (entry["kind"], entry["from_holder"], entry["to_holder"], entry["tonnes"]) == (
        "transfer",
        seller,
        buyer,
        4.5,
    )
    assert entry["actor"]["reason"] == "交易合同 2026-017" and entry["at"]
    holdings = {
        h["uscc"]: h["tonnes"] for h in _ok(client.get("/api/v1/rights/NH3N", headers=officer))["holdings"]
    }
    assert (holdings[seller], holdings[buyer]) == (5.5, 4.5)
    # More than the seller holds: refused by the service, and nothing moves.
    too_much = {**trade, "tonnes": 6}
    short = client.post("/api/v1/rights/NH3N/transfers", json=too_much, headers=officer)
    assert short.status_code == 409, short.text
    entries = _ok(client.get("/api/v1/rights/NH3N/entries", params={"uscc": buyer}, headers=officer))
    assert [e["kind"] for e in entries["entries"]] == ["transfer"]
    back = {"uscc": buyer, "tonnes": 4.5, "reason": "生产线关停"}
    assert (
        _ok(client.post("/api/v1/rights/NH3N/returns", json=back, headers=officer), 201)["to_holder"]
        == "RESERVE"
    )
    # The ledger is the permit officers': a dispatcher moves nothing.
    dispatcher = operator_headers(client, "dispatcher")
    assert client.post("/api/v1/rights/NH3N/transfers", json=trade, headers=dispatcher).status_code == 403
