"""The monitoring and permits routes against fake stubs: the request each sends (filters, period,
resolution, paging), the deadline on every call, the answer's shape, a down service as a clear 503
for its own routes only, and the service's own refusal passed on with its message."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from fastapi.testclient import TestClient

from eco.v1 import common_pb2, monitoring_pb2, permits_pb2
from gateway import operators
from tests.unit.gateway.fakes import FakeRpcError, FakeStub
from tests.unit.gateway.support import error_shape, gateway

READER = {"Authorization": "Bearer tok-svc-reader"}
OFFICER = {"Authorization": "Bearer tok-svc-permits"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with gateway(tmp_path) as test_client:
        app: Any = test_client.app
        operators.create(
            app.state.engine,
            username="svc.reader",
            display_name="r",
            role="inspector",
            token="tok-svc-reader",
        )
        operators.create(
            app.state.engine,
            username="svc.permits",
            display_name="p",
            role="permit_officer",
            token="tok-svc-permits",
        )
        yield test_client


def _stub(client: TestClient, name: str, **methods: Any) -> FakeStub:
    stub = FakeStub(name, **methods)
    setattr(client.app.state.clients, name, stub)  # type: ignore[attr-defined]
    return stub


def test_stations_page_through_with_filters_and_a_deadline(client: TestClient) -> None:
    station = monitoring_pb2.Station(
        station_id="st-1", name="北门桥", type=monitoring_pb2.STATION_TYPE_WATER_SECTION, town="浒山街道"
    )
    stub = _stub(
        client,
        "monitoring",
        ListStations=lambda r: monitoring_pb2.ListStationsResponse(
            stations=[station], page=common_pb2.PageInfo(next_page_token="n2", total=7)
        ),
    )
    answer = client.get(
        "/api/v1/monitoring/stations",
        params={"type": "water_section", "town": "浒山街道", "page_size": 1, "page_token": "n1"},
        headers=READER,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["next_page_token"] == "n2" and body["total"] == 7
    assert body["stations"][0]["station_id"] == "st-1" and body["stations"][0]["type"] == "water_section"
    name, request, kwargs = stub.calls[0]
    assert (
        name == "ListStations"
        and request.town == "浒山街道"
        and request.type == monitoring_pb2.STATION_TYPE_WATER_SECTION
    )
    assert (request.page.page_size, request.page.page_token) == (1, "n1")
    assert kwargs["timeout"] > 0 and kwargs["metadata"]
    bad = client.get("/api/v1/monitoring/stations", params={"type": "river"}, headers=READER)
    assert bad.status_code == 400 and bad.json()["message"].startswith("type: must be one of")


def test_a_time_series_asks_for_the_period_and_resolution(client: TestClient) -> None:
    stub = _stub(
        client,
        "monitoring",
        GetTimeSeries=lambda r: monitoring_pb2.TimeSeries(
            station_id=r.station_id, parameter=r.parameter, unit="mg/L", interval=r.interval, coverage=0.5
        ),
    )
    answer = client.get(
        "/api/v1/monitoring/stations/st-1/series",
        params={
            "parameter": "NH3N",
            "from": "2026-11-30T00:00:00",
            "to": "2026-12-01T00:00:00+08:00",
            "interval": "day",
        },
        headers=READER,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["interval"] == "day" and answer.json()["coverage"] == 0.5
    request = stub.calls[0][1]
    # Without an offset the time is China time: 2026-11-30 00:00 +08:00 is 16:00 UTC the day before.
    assert getattr(request, "from").ToJsonString() == "2026-11-29T16:00:00Z"
    assert request.to.ToJsonString() == "2026-11-30T16:00:00Z"
    assert request.interval == monitoring_pb2.INTERVAL_DAY
    backwards = client.get(
        "/api/v1/monitoring/stations/st-1/series",
        params={"parameter": "NH3N", "from": "2026-12-02T00:00:00", "to": "2026-12-01T00:00:00"},
        headers=READER,
    )
    assert backwards.status_code == 400 and backwards.json()["message"] == "from: must be before to"


def test_a_down_service_is_a_clear_503_for_its_own_routes_only(client: TestClient) -> None:
    _stub(client, "monitoring")  # every method UNAVAILABLE
    _stub(
        client,
        "permits",
        GetPermit=lambda r: permits_pb2.Permit(
            permit_number=r.permit_number, status=permits_pb2.PERMIT_STATUS_ISSUED
        ),
    )
    for path in (
        "/api/v1/monitoring/coverage",
        "/api/v1/monitoring/exceedances",
        "/api/v1/monitoring/stations/st-1/faults",
    ):
        down = client.get(path, headers=READER)
        assert down.status_code == 503 and error_shape(down.json()), path
        assert down.json()["message"].startswith("the monitoring service does not answer")
    permit = client.get("/api/v1/permits/P-1", headers=READER)
    assert permit.status_code == 200 and permit.json()["status"] == "issued"


def test_the_services_refusal_comes_back_with_its_message(client: TestClient) -> None:
    def refuse(request: Any) -> Any:
        raise FakeRpcError(
            grpc.StatusCode.FAILED_PRECONDITION,
            "permit P-1 is issued; only a permit under review can be rejected",
        )

    stub = _stub(client, "permits", RejectPermit=refuse)
    answer = client.post("/api/v1/permits/P-1/reject", json={"reason": "材料不全"}, headers=OFFICER)
    assert answer.status_code == 409 and "only a permit under review" in answer.json()["message"]
    request = stub.calls[0][1]
    assert (request.permit_number, request.actor.user, request.actor.reason) == (
        "P-1",
        "svc.permits",
        "材料不全",
    )
    # An inspector reads permits but takes no step in their lifecycle.
    assert client.post("/api/v1/permits/P-1/reject", json={}, headers=READER).status_code == 403


def test_permit_lists_eia_radiation_and_rights(client: TestClient) -> None:
    page = common_pb2.PageInfo(next_page_token="", total=1)
    stub = _stub(
        client,
        "permits",
        ListPermits=lambda r: permits_pb2.ListPermitsResponse(
            permits=[permits_pb2.Permit(permit_number="P-1", uscc=r.uscc)], page=page
        ),
        ListEia=lambda r: permits_pb2.ListEiaResponse(
            applications=[permits_pb2.EiaApplication(eia_id="E-1", uscc="U", overdue=True, days_left=-2)],
            page=page,
        ),
        ListRadiationPermits=lambda r: permits_pb2.ListRadiationPermitsResponse(page=page),
        GetRightsPosition=lambda r: permits_pb2.RightsPosition(pollutant=r.pollutant, cap_tonnes=100),
        ListRightsEntries=lambda r: permits_pb2.ListRightsEntriesResponse(
            entries=[permits_pb2.RightsEntry(entry_id=3, pollutant=r.pollutant, tonnes=12.5)], page=page
        ),
    )
    uscc = "91330100716105852F"
    listed = client.get("/api/v1/permits", params={"uscc": uscc, "status": "issued"}, headers=READER).json()
    assert (
        listed["permits"][0]["uscc"] == uscc and stub.calls[-1][1].status == permits_pb2.PERMIT_STATUS_ISSUED
    )
    eia = client.get("/api/v1/eia", params={"overdue_only": "true"}, headers=READER).json()
    assert eia["applications"][0]["overdue"] is True and stub.calls[-1][1].overdue_only is True
    assert client.get("/api/v1/radiation-permits", headers=READER).json()["total"] == 1
    assert client.get("/api/v1/rights/COD", headers=READER).json()["cap_tonnes"] == 100
    entries = client.get("/api/v1/rights/COD/entries", params={"uscc": uscc}, headers=READER).json()
    assert entries["entries"][0]["tonnes"] == 12.5 and stub.calls[-1][1].uscc == uscc
