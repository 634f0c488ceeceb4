"""Records the contract tests read back through the gateway, put in the real services: monitoring's
stations and readings, a grid and a problem with its case and evidence, a petition, an account.

Each returns the values of the path parameters that name what it made, so every documented route
with such a parameter is called on a real record (tests/integration/gateway/test_documented_answers).
"""

from __future__ import annotations

import base64
import time

from fastapi.testclient import TestClient

from eco.v1 import common_pb2, enforcement_pb2, enforcement_pb2_grpc, monitoring_pb2
from shared.grpc.client import call_metadata, channel
from shared.runtime import RunningService
from tests.integration.monitoring import support
from tests.support import infra

HOUR = support.HOUR
# The seeded grid, and a point inside it (Hushan, Cixi).
GRID_ID = "oas-west"
LAT, LON = 30.15, 121.25


def monitoring(service: RunningService) -> dict[str, list[str]]:
    """A class III water section with six hours of NH3N (three over the limit: an open exceedance),
    an air station with PM2.5 readings, and an outlet monitor; their ids and the outlet's."""
    stub, meta = support.stub(service), call_metadata(infra.WATER_TOKEN)
    water, air, source = infra.unique("ws-"), infra.unique("air-"), infra.unique("src-")
    outlet = f"{support.USCC}-WW01"
    air_station = monitoring_pb2.Station(
        station_id=air,
        name="浒山 空气自动站",
        type=monitoring_pb2.STATION_TYPE_AIR,
        location=common_pb2.GeoPoint(lat=LAT, lon=LON),
        town="浒山",
        parameters=[monitoring_pb2.MonitoredParameter(code="PM25", unit="ug/m3", interval_seconds=HOUR)],
    )
    for station in (support.section(water), air_station, support.outlet_monitor(source, outlet)):
        stub.RegisterStation(monitoring_pb2.RegisterStationRequest(station=station), metadata=meta)
    start = int(time.time()) // HOUR * HOUR - 6 * HOUR
    stub.IngestReadings(support.batch(water, "NH3N", start, [0.6, 0.7, 1.7, 1.8, 1.9]), metadata=meta)
    stub.IngestReadings(support.batch(air, "PM25", start, [35.0, 40.0, 52.0, 61.0, 48.0]), metadata=meta)
    stub.IngestReadings(support.batch(source, "COD", start, [40.0, 41.0, 39.0]), metadata=meta)
    return {"station_id": [water, air, source], "outlet_id": [outlet]}


def grid(service: RunningService) -> None:
    """One town grid covering (LAT, LON), so problems and petitions there are routed to it."""
    stub = enforcement_pb2_grpc.EnforcementServiceStub(channel(service.address))
    city = enforcement_pb2.Grid(
        grid_id="oas-city", name="慈溪市", level=1, boundary=_square(30.0, 121.0, 30.4, 121.55)
    )
    town = enforcement_pb2.Grid(
        grid_id=GRID_ID,
        name="浒山网格",
        town="浒山",
        parent_grid_id="oas-city",
        level=2,
        boundary=_square(30.1, 121.2, 30.2, 121.3),
    )
    for new in (city, town):
        stub.CreateGrid(
            enforcement_pb2.CreateGridRequest(grid=new), metadata=call_metadata(infra.BUREAU_TOKEN)
        )


def _square(lat0: float, lon0: float, lat1: float, lon1: float) -> list[common_pb2.GeoPoint]:
    corners = [(lat0, lon0), (lat0, lon1), (lat1, lon1), (lat1, lon0)]
    return [common_pb2.GeoPoint(lat=lat, lon=lon) for lat, lon in corners]


def problem(client: TestClient, admin: dict[str, str]) -> dict[str, list[str]]:
    """A problem entered by hand, its case and one evidence item of the case; their ids."""
    body = {"title": "河面异味", "category": "water", "lat": LAT, "lon": LON, "severity": "high"}
    opened = client.post("/api/v1/problems", json=body, headers=admin)
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["case_id"]
    assert case_id, opened.json()
    photo = {
        "kind": "photo",
        "media_type": "image/jpeg",
        "content_base64": base64.b64encode(b"\xff\xd8x").decode(),
    }
    item = client.post(f"/api/v1/cases/{case_id}/evidence", json=photo, headers=admin)
    assert item.status_code == 201, item.text
    return {"problem_id": [opened.json()["problem_id"]], "case_id": [case_id]}


def petition(client: TestClient, admin: dict[str, str]) -> dict[str, list[str]]:
    """A petition taken over the hotline in the seeded grid; its id and tracking code."""
    body = {"category": "air", "text": "夜间异味扰民", "contact": "13800000000", "lat": LAT, "lon": LON}
    entered = client.post("/api/v1/petitions", json=body, headers=admin)
    assert entered.status_code == 201, entered.text
    return {
        "petition_id": [entered.json()["petition_id"]],
        "tracking_code": [entered.json()["tracking_code"]],
    }


def account(client: TestClient, admin: dict[str, str]) -> dict[str, list[str]]:
    """An operator account made through the API (so the audit has an entry); its username."""
    body = {
        "username": infra.unique("oas."),
        "display_name": "契约检验",
        "role": "viewer",
        "password": "contract test passphrase",
    }
    made = client.post("/api/v1/accounts", json=body, headers=admin)
    assert made.status_code == 201, made.text
    return {"username": [made.json()["username"]]}
