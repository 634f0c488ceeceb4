"""The gateway's monitoring and permits routes against the real services (in process, PostgreSQL and
Kafka): a station registered and fed over gRPC is listed, read, charted and its exceedance listed
through REST; a permit applied for over gRPC is reviewed and issued through REST and read back; a
grid commissioner sees their town's stations only; the monitoring service stopped answers 503 on
its routes while the permits routes keep answering."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from eco.v1 import common_pb2, monitoring_pb2, permits_pb2, permits_pb2_grpc
from gateway import config, operators
from gateway.app import create_app
from services.monitoring.bootstrap import build as build_monitoring
from services.permits import bootstrap as permits_bootstrap
from shared.grpc.client import call_metadata, channel
from shared.runtime import RunningService
from tests.integration.monitoring import support
from tests.support import infra
from tests.unit.permits.factories import limits_pb, random_uscc

pytestmark = pytest.mark.integration
HOUR = support.HOUR


@pytest.fixture
def monitoring_db() -> Iterator[str]:
    """The monitoring service's own database (one per service), dropped after the services stop."""
    with infra.fresh_postgres_database() as url:
        yield url


@pytest.fixture
def services(
    monitoring_db: str, pg_url: str, start_service: Callable[..., RunningService]
) -> tuple[RunningService, RunningService]:
    permits = start_service(
        "permits", permits_bootstrap.build, pg_url, consumer_group=infra.unique("permits-gwsvc-")
    )
    return permits, start_service("monitoring", build_monitoring, monitoring_db, consume_permits=False)


@pytest.fixture
def client(tmp_path: Path, services: tuple[RunningService, RunningService]) -> Iterator[TestClient]:
    permits, monitoring = services
    with infra.fresh_postgres_database() as gateway_db:
        env = {
            "ECO_RUN_DIR": str(tmp_path),
            "ECO_GATEWAY_INDEXER": "0",
            "ECO_GATEWAY_DATABASE_URL": gateway_db,
            "ECO_PERMITS_ADDR": permits.address,
            "ECO_MONITORING_ADDR": monitoring.address,
            "KAFKA_BOOTSTRAP_SERVERS": infra.KAFKA,
            "ELASTICSEARCH_URL": infra.ES_URL,
        }
        with TestClient(create_app(config.load(env))) as test_client:
            yield test_client


def _as(client: TestClient, role: str, town: str = "") -> dict[str, str]:
    token = infra.unique("tok-")
    engine = client.app.state.engine  # type: ignore[attr-defined]
    operators.create(
        engine, username=infra.unique("op-"), display_name="测", role=role, token=token, town=town
    )
    return {"Authorization": f"Bearer {token}"}


def test_a_station_through_rest(client: TestClient, services: tuple[RunningService, RunningService]) -> None:
    _, monitoring = services
    stub, meta = support.stub(monitoring), call_metadata(infra.WATER_TOKEN)
    station_id = infra.unique("WS-")
    section = support.section(station_id)
    stub.RegisterStation(monitoring_pb2.RegisterStationRequest(station=section), metadata=meta)
    start = int(time.time()) // HOUR * HOUR - 6 * HOUR
    stub.IngestReadings(
        support.batch(station_id, "NH3N", start, [0.6, 1.7, 1.8, 1.9]), metadata=meta
    )  # 3 over class III
    reader = _as(client, "inspector")

    got = client.get(f"/api/v1/monitoring/stations/{station_id}", headers=reader)
    assert got.status_code == 200, got.text
    assert got.json()["station_id"] == station_id and got.json()["type"] == "water_section"
    listed = client.get(
        "/api/v1/monitoring/stations", params={"town": section.town, "page_size": 500}, headers=reader
    )
    assert station_id in {s["station_id"] for s in listed.json()["stations"]}
    status = client.get(f"/api/v1/monitoring/stations/{station_id}/status", headers=reader).json()
    assert status["reporting"] is True and status["open_exceedances"] == 1
    series = client.get(
        f"/api/v1/monitoring/stations/{station_id}/series",
        params={
            "parameter": "NH3N",
            "from": support.ts(start).ToJsonString(),
            "to": support.ts(start + 3 * HOUR).ToJsonString(),
            "interval": "hour",
        },
        headers=reader,
    )
    assert series.status_code == 200, series.text
    assert [p["received"] for p in series.json()["points"]] == [1, 1, 1]
    exceedances = client.get(f"/api/v1/monitoring/stations/{station_id}/exceedances", headers=reader).json()
    assert [e["parameter"] for e in exceedances["exceedances"]] == ["NH3N"]
    assert exceedances["exceedances"][0]["open"] is True
    classes = client.get(f"/api/v1/monitoring/stations/{station_id}/class-history", headers=reader)
    assert classes.status_code == 200 and classes.json()["station_id"] == station_id
    assert client.get("/api/v1/monitoring/coverage", headers=reader).status_code == 200

    # A commissioner of the station's town reads it; one of another town does not, nor their list.
    home = _as(client, "grid_commissioner", town=section.town)
    away = _as(client, "grid_commissioner", town="观海卫镇")
    assert client.get(f"/api/v1/monitoring/stations/{station_id}/status", headers=home).status_code == 200
    assert client.get(f"/api/v1/monitoring/stations/{station_id}/status", headers=away).status_code == 403
    theirs = client.get("/api/v1/monitoring/stations", params={"page_size": 500}, headers=away).json()
    assert station_id not in {s["station_id"] for s in theirs["stations"]}


def test_a_permit_through_rest_and_a_stopped_service(
    client: TestClient, services: tuple[RunningService, RunningService]
) -> None:
    permits, monitoring = services
    uscc = random_uscc()
    officer = _as(client, "permit_officer")
    body = {
        "uscc": uscc,
        "name": "慈溪市示范电镀有限公司",
        "legal_representative": "陈刚",
        "industry_code": "C3360",
        "address": "浙江省慈溪市周巷镇",
        "town": "周巷",
        "grid": "周巷-02",
        "lat": 30.18,
        "lon": 121.15,
        "permit_class": "key",
    }
    assert client.post("/api/v1/enterprises", json=body, headers=officer).status_code == 201
    ch = channel(permits.address)
    stub, md = permits_pb2_grpc.PermitsServiceStub(ch), call_metadata(infra.BUREAU_TOKEN)
    outlet = stub.AddOutlet(
        permits_pb2.AddOutletRequest(
            uscc=uscc,
            kind=permits_pb2.OUTLET_KIND_WASTEWATER,
            name="总排口",
            location=common_pb2.GeoPoint(lat=30.18, lon=121.15),
            receiving_river="周家路江",
            monitored_pollutants=["COD"],
        ),
        metadata=md,
    )
    number = stub.ApplyPermit(
        permits_pb2.ApplyPermitRequest(uscc=uscc, outlets=[limits_pb(outlet.outlet_id)]), metadata=md
    ).permit_number
    ch.close()

    early = client.post(f"/api/v1/permits/{number}/issue", json={"reason": "先发"}, headers=officer)
    assert early.status_code == 409, early.text  # not under review yet: the service's rule and message
    reviewed = client.post(f"/api/v1/permits/{number}/review", json={"reason": "受理"}, headers=officer)
    assert reviewed.status_code == 200 and reviewed.json()["status"] == "under_review"
    issued = client.post(f"/api/v1/permits/{number}/issue", json={"reason": "审核通过"}, headers=officer)
    assert issued.status_code == 200 and issued.json()["status"] == "issued"
    assert issued.json()["last_action"]["user"].startswith("op-")
    mine = client.get(f"/api/v1/enterprises/{uscc}/permits", headers=officer).json()
    assert [p["permit_number"] for p in mine["permits"]] == [number]
    commissioner = _as(client, "grid_commissioner", town="周巷")
    assert client.get(f"/api/v1/enterprises/{uscc}/permits", headers=commissioner).status_code == 200
    assert (
        client.get(
            f"/api/v1/enterprises/{uscc}/permits", headers=_as(client, "grid_commissioner", town="坎墩")
        ).status_code
        == 403
    )

    monitoring.stop()
    down = client.get("/api/v1/monitoring/coverage", headers=officer)
    assert down.status_code == 503 and down.json()["message"].startswith(
        "the monitoring service does not answer"
    )
    assert client.get(f"/api/v1/permits/{number}", headers=officer).json()["status"] == "issued"
