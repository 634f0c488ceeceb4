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

from deploy.demo import city, loader
from deploy.demo.dates import permit_valid_from
from deploy.demo.registry import DemoRegistry, pb_date
from eco.v1 import common_pb2, monitoring_pb2, monitoring_pb2_grpc, permits_pb2, permits_pb2_grpc
from services.codes.bootstrap import build as build_codes
from services.monitoring.bootstrap import build as build_monitoring
from services.permits.bootstrap import build as build_permits
from shared.china_time import CHINA_TIME
from shared.clock import ManualClock
from shared.grpc.client import call_metadata, channel
from shared.runtime import RunningService
from shared.settings import service_address
from shared.topology import topic_for
from tests.support import infra
from tests.support.topics import create_topics_if_missing, start_group_at_end
from tests.unit.codes import factories

pytestmark = pytest.mark.integration

DATES = [date(2027, 1, 1), date(2028, 2, 29), date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 31)]
MD = call_metadata(loader.TOKEN)
UNDER_REVIEW = city.ENTERPRISES[1]  # 宗汉电镀厂: the oldest permit, and the outlet that breaks it
NO_OUTLETS = city.ENTERPRISES[0]  # 浒山印染: registered by the earlier load, nothing more
VALID = (permits_pb2.PERMIT_STATUS_ISSUED, permits_pb2.PERMIT_STATUS_RENEWED)


@pytest.fixture
def databases() -> Iterator[tuple[str, str, str]]:
    """Fresh PostgreSQL databases for permits, monitoring and codes (requested before the services,
    so they are dropped only after the services stopped)."""
    with ExitStack() as stack:
        permits, monitoring, codes = (stack.enter_context(infra.fresh_postgres_database()) for _ in range(3))
        yield permits, monitoring, codes


@pytest.fixture(params=DATES, ids=[d.isoformat() for d in DATES])
def platform_on(
    request: pytest.FixtureRequest,
    databases: tuple[str, str, str],
    start_service: Callable[..., RunningService],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> ManualClock:
    """permits, monitoring and codes on a clock at 10:00 China time on the date, each with its own
    PostgreSQL database, consuming only the permits events published from now on."""
    clock = ManualClock(datetime.combine(request.param, time(10, 0), CHINA_TIME))
    permits_topic = topic_for("permits")
    create_topics_if_missing(permits_topic, topic_for("evaluation"))
    permits_db, monitoring_db, codes_db = databases
    monitoring_group, codes_group = infra.unique("g-demo-mon-"), infra.unique("g-demo-codes-")
    start_group_at_end(monitoring_group, permits_topic)
    start_group_at_end(codes_group, permits_topic)
    permits = start_service("permits", build_permits, permits_db, clock=clock)
    monitoring = start_service(
        "monitoring", build_monitoring, monitoring_db, clock=clock, permits_group=monitoring_group
    )
    codes_env = infra.service_env(database_url=codes_db, run_dir=tmp_path)
    codes_env["ECO_PERMITS_ADDR"] = permits.address
    codes = start_service(
        "codes",
        build_codes,
        codes_db,
        clock=clock,
        keys=factories.keys(),
        topics=[permits_topic, topic_for("evaluation")],
        group_id=codes_group,
        env=codes_env,
    )
    for name, service in (("PERMITS", permits), ("MONITORING", monitoring), ("CODES", codes)):
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
    assert len(loaded.story) == 3 and not any("earlier load" in line for line in loaded.story)
    assert set(loaded.codes) == {e.uscc for e in city.ENTERPRISES}
