"""Monitoring publishes a closed day's AQI on Kafka, evaluation consumes it, the KPI answers: the
real services on real Kafka and PostgreSQL, on a clock the day after 29 February 2028 in Cixi.

The air station is in a town of its own, so the KPI asked for that town counts only this test's
days whatever else is on eco.monitoring.events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa

from eco.v1 import common_pb2, evaluation_pb2, evaluation_pb2_grpc, monitoring_pb2
from services.evaluation.bootstrap import build as build_evaluation
from services.monitoring.bootstrap import build as build_monitoring
from shared import events
from shared.china_time import CHINA_TIME
from shared.clock import ManualClock
from shared.db import make_engine
from shared.grpc.client import call_metadata, channel
from shared.periodic import Periodic
from shared.runtime import RunningService
from shared.schema import outbox
from shared.topology import topic_for
from tests.integration.monitoring import support
from tests.support import infra
from tests.support.topics import create_topics_if_missing, start_group_at_end

pytestmark = pytest.mark.integration
Start = Callable[..., RunningService]

LEAP_DAY = datetime(2028, 2, 29, tzinfo=CHINA_TIME)
# Hourly values around each typical one (-d, 0, +d: three hours average to it, no flat line).
TYPICAL = {"SO2": 9.0, "NO2": 32.0, "CO": 0.7, "O3": 95.0, "PM10": 62.0, "PM25": 50.0}


@pytest.fixture
def other_pg_url() -> Iterator[str]:
    """Evaluation's own fresh database (asked for before start_service, so it outlives the services)."""
    with infra.fresh_postgres_database() as url:
        yield url


def _air_station(station_id: str, town: str) -> monitoring_pb2.Station:
    return monitoring_pb2.Station(
        station_id=station_id,
        name=f"{town}空气自动站",
        type=monitoring_pb2.STATION_TYPE_AIR,
        location=common_pb2.GeoPoint(lat=30.18, lon=121.25),
        town=town,
        parameters=[
            monitoring_pb2.MonitoredParameter(
                code=code, unit="mg/m3" if code == "CO" else "ug/m3", interval_seconds=3600
            )
            for code in TYPICAL
        ],
    )


def _day_of_readings(station_id: str) -> monitoring_pb2.ReadingBatch:
    batch = monitoring_pb2.ReadingBatch()
    first = int(LEAP_DAY.timestamp())
    for h in range(24):
        for code, v in TYPICAL.items():
            value = round(v + (h % 3 - 1) * (0.1 if code == "CO" else 1), 1)
            r = batch.readings.add(station_id=station_id, parameter=code, value=value)
            r.time.seconds = first + h * 3600
    return batch


def _worker(service: RunningService) -> Periodic:
    return next(w for w in service.workers if isinstance(w, Periodic) and w.name == "daily-aqi")


def _published(url: str, station_id: str) -> list[str]:
    """The dates of the DailyAqiComputed events in monitoring's outbox about the station."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            query = sa.select(outbox.c.envelope).where(
                outbox.c.event_type == "DailyAqiComputed", outbox.c.key == station_id
            )
            raws = conn.execute(query).scalars().all()
    finally:
        engine.dispose()
    return [events.unpack(events.decode(bytes(r))).date for r in raws]  # type: ignore[attr-defined]


def test_monitoring_publishes_a_closed_day_and_evaluation_counts_it(
    pg_url: str, other_pg_url: str, start_service: Start
) -> None:
    topic = topic_for("monitoring")
    create_topics_if_missing(topic)
    group = infra.unique("evaluation-aqi-")
    start_group_at_end(group, topic)
    clock = ManualClock(datetime.combine(LEAP_DAY.date() + timedelta(days=1), time(10, 0), CHINA_TIME))
    monitoring = start_service(
        "monitoring",
        build_monitoring,
        pg_url,
        clock=clock,
        consume_permits=False,
        extra_env={"ECO_MONITORING_DAILY_AQI_SECONDS": "1", "ECO_OUTBOX_POLL_SECONDS": "1"},
    )
    evaluation = start_service(
        "evaluation", build_evaluation, other_pg_url, clock=clock, consumer_group=group, topics=[topic]
    )
    town, station_id = infra.unique("测试镇"), infra.unique("AIR-")
    stub, meta = support.stub(monitoring), call_metadata(infra.BUREAU_TOKEN)
    stub.RegisterStation(
        monitoring_pb2.RegisterStationRequest(station=_air_station(station_id, town)), metadata=meta
    )
    summary = stub.IngestReadings(_day_of_readings(station_id), metadata=meta)
    assert summary.accepted == 24 * len(TYPICAL)

    ch = channel(evaluation.address)
    try:
        kpis = evaluation_pb2_grpc.EvaluationServiceStub(ch)
        day = common_pb2.Date(year=2028, month=2, day=29)
        request = evaluation_pb2.GetKpiRequest(
            name="good_aqi_day_share", town=town, **{"from": day, "to": day}
        )

        def counted() -> evaluation_pb2.Kpi | None:
            kpi = kpis.GetKpi(request, metadata=meta, timeout=10)
            return None if kpi.undefined else kpi

        kpi = infra.wait_for(counted, timeout=60, what="the leap day's AQI counted by evaluation")
        # By hand (HJ 633-2012): PM2.5 50 -> IAQI 69, the AQI; level II, good. The town's one station
        # makes its city day (HJ 663-2013: the means of one station are its own figures): 1 good of 1.
        assert (kpi.numerator, kpi.denominator) == (1, 1)
        assert kpi.target == 0.9 and "1 day with a city AQI" in kpi.note
        assert kpi.newest_event_at.seconds > 0
        # The figure is the one monitoring's own AQI query answers for that day.
        asked = monitoring_pb2.GetHistoryRequest(station_id=station_id, interval=monitoring_pb2.INTERVAL_DAY)
        getattr(asked, "from").CopyFrom(support.ts(int(LEAP_DAY.timestamp())))
        asked.to.CopyFrom(support.ts(int(LEAP_DAY.timestamp()) + 86400))
        history = stub.GetAqiHistory(asked, metadata=meta)
        assert [p.aqi for p in history.points] == [69]
        # The day went out once: the worker's later passes (every second) publish nothing more for it.
        runs = _worker(monitoring).runs
        infra.wait_for(lambda: _worker(monitoring).runs >= runs + 2, timeout=20, what="two more passes")
        assert _published(pg_url, station_id) == ["2028-02-29"]
    finally:
        ch.close()
