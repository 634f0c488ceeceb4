"""The demo city loads completely, and tells its story, whatever the date: the loader runs against
the real permits, monitoring and codes services, each on a clock set to a day that once broke it
(1 December: permits "issued on 1 December five years ago" had just expired) or that the calendar
makes special (1 January, 29 February, 30 November, 31 December).

Each date starts from a half-finished earlier load (an enterprise left without outlets, a permit
left under review), which the loader must complete rather than skip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from deploy.demo import city, enforcement, loader
from deploy.demo.dates import permit_valid_from
from deploy.demo.registry import DemoRegistry, pb_date
from eco.v1 import (
    common_pb2,
    enforcement_pb2,
    enforcement_pb2_grpc,
    monitoring_pb2,
    monitoring_pb2_grpc,
    permits_pb2,
    permits_pb2_grpc,
)
from services.codes.bootstrap import build as build_codes
from services.enforcement.bootstrap import build as build_enforcement
from services.monitoring.bootstrap import build as build_monitoring
from services.permits.bootstrap import build as build_permits
from shared.china_time import CHINA_TIME
from shared.clock import ManualClock
from shared.grpc.client import call_metadata, channel
from shared.runtime import RunningService
from shared.settings import service_address
from shared.topology import SERVICES, topic_for
from tests.support import infra
from tests.support.topics import create_topics_if_missing, start_group_at_end
from tests.unit.codes import factories

pytestmark = pytest.mark.integration

DATES = [date(2027, 1, 1), date(2028, 2, 29), date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 31)]
MD = call_metadata(loader.TOKEN)
UNDER_REVIEW = city.ENTERPRISES[1]  # 宗汉电镀厂: the oldest permit, and the outlet that breaks it
NO_OUTLETS = city.ENTERPRISES[0]  # 浒山印染: registered by the earlier load, nothing more
VALID = (permits_pb2.PERMIT_STATUS_ISSUED, permits_pb2.PERMIT_STATUS_RENEWED)
LOADED = ("permits", "monitoring", "enforcement", "codes")


@pytest.fixture
def databases() -> Iterator[dict[str, str]]:
    """Fresh PostgreSQL databases for the services the loader calls (requested before the services,
    so they are dropped only after the services stopped)."""
    with ExitStack() as stack:
        yield {name: stack.enter_context(infra.fresh_postgres_database()) for name in LOADED}


@pytest.fixture(params=DATES, ids=[d.isoformat() for d in DATES])
def platform_on(
    request: pytest.FixtureRequest,
    databases: dict[str, str],
    start_service: Callable[..., RunningService],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> ManualClock:
    """The services the loader calls, on a clock at 10:00 China time on the date, each with its own
    PostgreSQL database, consuming only the events published from now on."""
    clock = ManualClock(datetime.combine(request.param, time(10, 0), CHINA_TIME))
    topics = [topic_for(name) for name in SERVICES]
    create_topics_if_missing(*topics)
    groups = {name: infra.unique(f"g-demo-{name}-") for name in LOADED}
    for group in groups.values():
        start_group_at_end(group, *topics)
    env = infra.service_env(database_url="", run_dir=tmp_path)
    permits = start_service("permits", build_permits, databases["permits"], clock=clock)
    monitoring = start_service(
        "monitoring",
        build_monitoring,
        databases["monitoring"],
        clock=clock,
        permits_group=groups["monitoring"],
    )
    enforcement = start_service(
        "enforcement",
        build_enforcement,
        databases["enforcement"],
        clock=clock,
        consumer_group=groups["enforcement"],
        extra_env={"ECO_MONITORING_ADDR": monitoring.address},
    )
    codes = start_service(
        "codes",
        build_codes,
        databases["codes"],
        clock=clock,
        keys=factories.keys(),
        topics=[topic_for("permits"), topic_for("evaluation")],
        group_id=groups["codes"],
        env={**env, "DATABASE_URL": databases["codes"], "ECO_PERMITS_ADDR": permits.address},
    )
    for name, service in (
        ("PERMITS", permits),
        ("MONITORING", monitoring),
        ("ENFORCEMENT", enforcement),
        ("CODES", codes),
    ):
        monkeypatch.setenv(f"ECO_{name}_ADDR", service.address)
    return clock


def _half_load(stub: permits_pb2_grpc.PermitsServiceStub, today: date) -> str:
    """What a load that died half-way leaves: one enterprise registered without outlets, another
    with its outlets and a permit application under review. Returns that permit's number."""
    registry = DemoRegistry(stub, loader.TOKEN, today)
    registry._register(NO_OUTLETS)
    registry._register(UNDER_REVIEW)
    outlets, _ = registry._outlets(UNDER_REVIEW)
    applied_on = pb_date(permit_valid_from(today, UNDER_REVIEW.permit_age_years))
    applied = stub.ApplyPermit(
        permits_pb2.ApplyPermitRequest(uscc=UNDER_REVIEW.uscc, outlets=outlets, applied_on=applied_on),
        metadata=MD,
    )
    stub.StartPermitReview(permits_pb2.PermitActionRequest(permit_number=applied.permit_number), metadata=MD)
    return applied.permit_number


def _permits(stub: permits_pb2_grpc.PermitsServiceStub, uscc: str) -> list[permits_pb2.Permit]:
    return list(stub.ListPermits(permits_pb2.ListPermitsRequest(uscc=uscc), metadata=MD).permits)


def _day(d: object) -> date:
    return date(d.year, d.month, d.day)  # type: ignore[attr-defined]


def test_the_demo_city_loads_whole_and_tells_its_story_on_any_date(platform_on: ManualClock) -> None:
    now = platform_on.now()
    today = now.astimezone(CHINA_TIME).date()
    with channel(service_address("permits")) as ch:
        pending_number = _half_load(permits_pb2_grpc.PermitsServiceStub(ch), today)

    loaded = loader.load_city(now)

    with channel(service_address("permits")) as ch:
        stub = permits_pb2_grpc.PermitsServiceStub(ch)
        for e in city.ENTERPRISES:
            assert (
                stub.GetEnterprise(permits_pb2.GetEnterpriseRequest(uscc=e.uscc), metadata=MD).fields.name
                == e.name
            )
            outlets = stub.ListOutlets(permits_pb2.ListOutletsRequest(uscc=e.uscc), metadata=MD).outlets
            assert len(outlets) == bool(e.wastewater_river) + bool(e.waste_gas), e.name
            valid = [p for p in _permits(stub, e.uscc) if p.status in VALID]
            if e.permit_class == "registration" or not outlets:
                assert valid == [], e.name
                continue
            assert len(valid) == 1, e.name
            permit = valid[0]
            assert _day(permit.valid_from) <= today <= _day(permit.valid_until), e.name
            if e.permit_age_years >= 5:  # "issued about five years ago": renewal due within a month
                assert today <= _day(permit.renewal_apply_by) <= today + timedelta(days=30), e.name
        resumed = [p for p in _permits(stub, UNDER_REVIEW.uscc) if p.status in VALID]
        assert [p.permit_number for p in resumed] == [pending_number]

    with channel(service_address("monitoring")) as ch:
        stub_m = monitoring_pb2_grpc.MonitoringServiceStub(ch)
        page = common_pb2.PageRequest(page_size=200)
        registered = stub_m.ListStations(monitoring_pb2.ListStationsRequest(page=page), metadata=MD).stations
        assert {s.station_id for s in registered} == {s.station_id for s in loaded.stations}
    assert len(loaded.story) == 4 and not any("earlier load" in line for line in loaded.story)
    assert "in grid 浒山-1" in loaded.story[-1]  # 三八江's section lies in Hushan

    with channel(service_address("enforcement")) as ch:
        stub_e = enforcement_pb2_grpc.EnforcementServiceStub(ch)
        grids = stub_e.ListGrids(enforcement_pb2.ListGridsRequest(), metadata=MD).grids
        assert len(grids) == 1 + 2 * len(city.TOWNS)
        listed = stub_e.ListCases(
            enforcement_pb2.ListCasesRequest(page=common_pb2.PageRequest(page_size=50)), metadata=MD
        )
        stages = {c.stage for c in listed.cases}
        assert stages >= {d.target for d in enforcement.CASES}
        assert any(c.escalation_level > 0 for c in listed.cases)
    assert set(loaded.codes) == {e.uscc for e in city.ENTERPRISES}
