"""The gateway's enterprise routes (FastAPI TestClient) against a real permits service on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from eco.v1 import common_pb2, permits_pb2, permits_pb2_grpc
from gateway import config, operators
from gateway.app import create_app
from services.permits import bootstrap
from shared.grpc.client import call_metadata, channel
from shared.runtime import RunningService
from tests.support import infra
from tests.unit.permits.factories import limits_pb, random_uscc

pytestmark = pytest.mark.integration
WHO = common_pb2.Actor(user="officer", reason="审核通过")


@pytest.fixture
def permits_service(pg_url: str, start_service: Callable[..., RunningService]) -> RunningService:
    return start_service("permits", bootstrap.build, pg_url, consumer_group=infra.unique("permits-gw-"))


@pytest.fixture
def client(tmp_path: Path, permits_service: RunningService) -> Iterator[TestClient]:
    with infra.fresh_postgres_database() as gateway_db:
        env = {
            "ECO_RUN_DIR": str(tmp_path),
            "ECO_GATEWAY_INDEXER": "0",  # the search tests run the indexer on their own topics
            "ECO_GATEWAY_DATABASE_URL": gateway_db,
            "ECO_PERMITS_ADDR": permits_service.address,
            "KAFKA_BOOTSTRAP_SERVERS": infra.KAFKA,
            "ELASTICSEARCH_URL": infra.ES_URL,
        }
        with TestClient(create_app(config.load(env))) as test_client:
            yield test_client


def _as(client: TestClient, role: str, town: str = "") -> dict[str, str]:
    token = infra.unique("tok-")
    operators.create(
        client.app.state.engine,  # type: ignore[attr-defined]
        username=infra.unique("op-"),
        display_name="测试",
        role=role,
        token=token,
        town=town,
    )
    return {"Authorization": f"Bearer {token}"}


def _body(uscc: str, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "uscc": uscc.lower(),
        "name": "慈溪市示范印染有限公司",
        "legal_representative": "陈刚",
        "contact": {"person": "周丽", "phone": "0574-63111111"},
        "industry_code": "C1713",
        "address": "浙江省慈溪市周巷镇",
        "town": "周巷",
        "grid": "周巷-02",
        "lat": 30.16,
        "lon": 121.15,
        "risk_flags": ["hazardous_chemicals"],
        "permit_class": "key",
    }
    body.update(overrides)
    return body


def test_officer_registers_and_errors_keep_the_services_message(client: TestClient) -> None:
    officer = _as(client, "permit_officer")
    code = random_uscc()
    created = client.post("/api/v1/enterprises", json=_body(code), headers=officer)
    assert created.status_code == 201, created.text
    assert created.json()["uscc"] == code
    assert created.json()["fields"]["risk_flags"] == ["hazardous_chemicals"]
    assert created.json()["fields"]["permit_class"] == "key"

    again = client.post("/api/v1/enterprises", json=_body(code), headers=officer)
    assert again.status_code == 409 and code in again.json()["message"]
    bad = code[:17] + ("0" if code[17] != "0" else "1")
    refused = client.post("/api/v1/enterprises", json=_body(bad), headers=officer)
    assert refused.status_code == 400
    assert refused.json()["error"] == "INVALID_ARGUMENT"
    assert refused.json()["message"].startswith("uscc: position 18: check character should be")
    no_place = client.post("/api/v1/enterprises", json=_body(random_uscc(), lat=0, lon=0), headers=officer)
    assert no_place.status_code == 400 and no_place.json()["message"].startswith("fields.location")
    bad_flag = client.post(
        "/api/v1/enterprises", json=_body(random_uscc(), risk_flags=["nuclear"]), headers=officer
    )
    assert bad_flag.status_code == 400 and bad_flag.json()["message"].startswith(
        "risk_flags[0]: must be one of"
    )
    # PostgreSQL cannot store NUL: the gateway's one text rule (gateway.inputs.In) refuses it by name
    # before the service is called (the service would too, as fields.name).
    nul = client.post(
        "/api/v1/enterprises", json=_body(random_uscc(), name="示范\u0000印染"), headers=officer
    )
    assert nul.status_code == 400, nul.text
    message = nul.json()["message"]
    assert message.startswith("name: ") and message.endswith("must not contain control characters")


def test_roles(client: TestClient) -> None:
    assert client.get("/api/v1/enterprises").status_code == 401
    assert client.get("/api/v1/enterprises", headers=_as(client, "viewer")).status_code == 403
    inspector = _as(client, "inspector")
    assert client.get("/api/v1/enterprises", headers=inspector).status_code == 200
    assert client.post("/api/v1/enterprises", json=_body(random_uscc()), headers=inspector).status_code == 403


def test_full_record_and_filtered_list(client: TestClient, permits_service: RunningService) -> None:
    officer = _as(client, "permit_officer")
    codes = sorted(random_uscc() for _ in range(3))
    for i, code in enumerate(codes):
        town = "周巷" if i < 2 else "观海卫"
        assert (
            client.post("/api/v1/enterprises", json=_body(code, town=town), headers=officer).status_code
            == 201
        )
    # The rest of the record arrives through the permits service's own API, as the demo loader does it.
    ch = channel(permits_service.address)
    stub, md = permits_pb2_grpc.PermitsServiceStub(ch), call_metadata(infra.BUREAU_TOKEN)
    outlet = stub.AddOutlet(
        permits_pb2.AddOutletRequest(
            uscc=codes[0],
            kind=permits_pb2.OUTLET_KIND_WASTEWATER,
            name="总排口",
            location=common_pb2.GeoPoint(lat=30.16, lon=121.15),
            receiving_river="潮塘江",
            monitored_pollutants=["COD"],
        ),
        metadata=md,
    )
    withdrawn = stub.ApplyPermit(
        permits_pb2.ApplyPermitRequest(uscc=codes[0], outlets=[limits_pb(outlet.outlet_id)]), metadata=md
    ).permit_number
    stub.WithdrawPermit(permits_pb2.PermitActionRequest(permit_number=withdrawn, actor=WHO), metadata=md)
    number = stub.ApplyPermit(
        permits_pb2.ApplyPermitRequest(uscc=codes[0], outlets=[limits_pb(outlet.outlet_id)]), metadata=md
    ).permit_number
    stub.StartPermitReview(permits_pb2.PermitActionRequest(permit_number=number, actor=WHO), metadata=md)
    stub.IssuePermit(permits_pb2.IssuePermitRequest(permit_number=number, actor=WHO), metadata=md)
    stub.SetRightsCap(
        permits_pb2.SetRightsCapRequest(pollutant="COD", cap_tonnes=100, actor=WHO), metadata=md
    )
    stub.AllocateRights(
        permits_pb2.AllocateRightsRequest(pollutant="COD", uscc=codes[0], tonnes=12.5, actor=WHO), metadata=md
    )
    ch.close()

    grid = _as(client, "inspector")  # a city-wide reader
    record = client.get(f"/api/v1/enterprises/{codes[0].lower()}", headers=grid)
    assert record.status_code == 200, record.text
    body = record.json()
    assert body["enterprise"]["uscc"] == codes[0]
    assert body["enterprise"]["fields"]["contact"]["person"] == "周丽"
    assert [o["outlet_id"] for o in body["outlets"]] == [outlet.outlet_id]
    earlier, permit = body["permits"]
    assert earlier["permit_number"] == withdrawn and earlier["status"] == "withdrawn"
    assert permit["permit_number"] == number and permit["status"] == "issued"
    assert len(permit["valid_from"]) == 10 and permit["valid_until"] > permit["valid_from"]
    assert {lim["parameter"] for lim in permit["outlets"][0]["limits"]} == {"COD", "NH3N"}
    assert body["rights_holdings"] == [{"uscc": codes[0], "pollutant": "COD", "tonnes": 12.5}]
    assert body["eia_applications"] == [] and body["radiation_permits"] == []

    missing = client.get(f"/api/v1/enterprises/{random_uscc()}", headers=grid)
    assert missing.status_code == 404
    malformed = client.get("/api/v1/enterprises/91330100716105852G", headers=grid)
    assert malformed.status_code == 400 and malformed.json()["message"].startswith("uscc: position 18")

    zhouxiang = client.get(
        "/api/v1/enterprises", params={"town": "周巷", "page_size": 1}, headers=grid
    ).json()
    assert zhouxiang["total"] == 2 and [e["uscc"] for e in zhouxiang["enterprises"]] == codes[:1]
    second = client.get(
        "/api/v1/enterprises",
        params={"town": "周巷", "page_size": 1, "page_token": zhouxiang["next_page_token"]},
        headers=grid,
    ).json()
    assert [e["uscc"] for e in second["enterprises"]] == codes[1:2] and second["next_page_token"] == ""
    flagged = client.get(
        "/api/v1/enterprises", params={"flag": "hazardous_chemicals", "permit_class": "key"}, headers=grid
    ).json()
    assert flagged["total"] == 3
    assert client.get("/api/v1/enterprises", params={"flag": "radiation"}, headers=grid).status_code == 400

    # A grid commissioner of 周巷 sees 周巷's records and list, and nothing of 观海卫.
    commissioner = _as(client, "grid_commissioner", town="周巷")
    assert client.get(f"/api/v1/enterprises/{codes[0]}", headers=commissioner).status_code == 200
    elsewhere = client.get(f"/api/v1/enterprises/{codes[2]}", headers=commissioner)
    assert elsewhere.status_code == 403 and "outside your area" in elsewhere.json()["message"]
    mine = client.get("/api/v1/enterprises", params={"page_size": 500}, headers=commissioner).json()
    assert {e["fields"]["town"] for e in mine["enterprises"]} == {"周巷"}
    assert set(codes[:2]) <= {e["uscc"] for e in mine["enterprises"]}
    asked = client.get("/api/v1/enterprises", params={"town": "观海卫"}, headers=commissioner)
    assert asked.status_code == 403
