"""Records the contract tests read back through the gateway, put in the real services: monitoring's
stations and readings, a grid and a problem with its case and evidence, a river-section case with an
outlet upstream to trace, a petition, an account.

Each returns the values of the path parameters that name what it made, so every documented route
with such a parameter is called on a real record (tests/integration/gateway/test_documented_answers).
"""

from __future__ import annotations

import base64
import time
from typing import Any

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
# A river of enforcement's river data (services/enforcement/data/rivers.json, which the service reads
# by default): a section on its centre line inside the seeded grid, and an outlet about 2 km upstream
# of it (nearer the source), both vertices of the line.
RIVER = "三八江"
SECTION_AT = common_pb2.GeoPoint(lat=30.174, lon=121.259)
OUTLET_AT = common_pb2.GeoPoint(lat=30.167, lon=121.281)


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


def traceable_case(
    client: TestClient, admin: dict[str, str], service: RunningService, uscc: str
) -> dict[str, list[str]]:
    """A case enforcement opened from an NH3N exceedance at a section of RIVER, with the enterprise's
    wastewater outlet upstream, permitted for NH3N and monitored online (its NH3N rose before the
    exceedance), so tracing has a real candidate to suggest; the case's id, once it suggests it."""
    outlet_in = {
        "kind": "wastewater",
        "name": "总排口",
        "lat": OUTLET_AT.lat,
        "lon": OUTLET_AT.lon,
        "receiving_river": RIVER,
        "monitored_pollutants": ["COD", "NH3N"],
    }
    outlet = _created(client.post(f"/api/v1/enterprises/{uscc}/outlets", json=outlet_in, headers=admin))
    # Tracing suggests only outlets permitted for the exceeded pollutant (PermitIssued's limits).
    limit = {"parameter": "NH3N", "concentration_limit": {"value": 5, "unit": "mg/L"}, "annual_tonnes": 1.2}
    application = {"uscc": uscc, "outlets": [{"outlet_id": outlet["outlet_id"], "limits": [limit]}]}
    number = _created(client.post("/api/v1/permits", json=application, headers=admin))["permit_number"]
    for step in ("review", "issue"):
        done = client.post(f"/api/v1/permits/{number}/{step}", json={"reason": "契约检验"}, headers=admin)
        assert done.status_code == 200, done.text

    stub, meta = support.stub(service), call_metadata(infra.WATER_TOKEN)
    section, monitor = infra.unique("ws-trace-"), infra.unique("src-trace-")
    nh3n = [monitoring_pb2.MonitoredParameter(code="NH3N", unit="mg/L", interval_seconds=HOUR)]
    stations = [
        monitoring_pb2.Station(
            station_id=section,
            name="三八江 浒山断面",
            type=monitoring_pb2.STATION_TYPE_WATER_SECTION,
            location=SECTION_AT,
            town="浒山",
            parameters=nh3n,
            water_section=monitoring_pb2.WaterSection(
                river=RIVER,
                position_km=2.0,
                target_class=monitoring_pb2.WATER_CLASS_III,
                water_body=monitoring_pb2.WATER_BODY_RIVER,
                county_level_or_above=True,
            ),
        ),
        monitoring_pb2.Station(
            station_id=monitor,
            name="总排口 在线监测",
            type=monitoring_pb2.STATION_TYPE_POLLUTION_SOURCE,
            location=OUTLET_AT,
            town="浒山",
            parameters=nh3n,
            source=monitoring_pb2.SourceMonitor(uscc=uscc, outlet_id=outlet["outlet_id"]),
        ),
    ]
    for station in stations:
        stub.RegisterStation(monitoring_pb2.RegisterStationRequest(station=station), metadata=meta)
    start = int(time.time()) // HOUR * HOUR - 6 * HOUR
    # The outlet's NH3N over the 12 hours before the section's: low, then high (a rise to rank by).
    outlet_values = [2.0] * 7 + [4.5] * 7
    stub.IngestReadings(support.batch(monitor, "NH3N", start - 12 * HOUR, outlet_values), metadata=meta)
    stub.IngestReadings(support.batch(section, "NH3N", start, [0.6, 0.7, 1.7, 1.8, 1.9]), metadata=meta)

    def case_id() -> str | None:
        found = client.get("/api/v1/problems", params={"station_id": section}, headers=admin)
        problems = found.json()["problems"] if found.status_code == 200 else []
        return str(problems[0]["case_id"]) if problems and problems[0]["case_id"] else None

    case = infra.wait_for(case_id, timeout=60, what="enforcement's case of the river-section exceedance")

    def suggested() -> bool:
        answer = client.get(f"/api/v1/cases/{case}/sources", headers=admin)
        return answer.status_code == 200 and bool(answer.json()["candidates"])

    infra.wait_for(suggested, timeout=60, what="the upstream outlet among the case's candidate sources")
    return {"case_id": [case]}


def _created(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


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
