"""Two replicas judging the same station on one PostgreSQL database: rule state is per process, so
a deployment routes each station to one replica; when that slips, the batch must still not be lost
to the "one open exceedance per series" index (advisory lock per station, then a re-judgement)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from services.monitoring.bootstrap import make_context
from services.monitoring.config import MonitoringConfig
from services.monitoring.domain import gb3838
from services.monitoring.domain.exceedance import Hysteresis
from services.monitoring.domain.parameters import StationType
from services.monitoring.domain.stations import Parameter, Station, WaterSection
from services.monitoring.migrations import HISTORY
from services.monitoring.service_layer import stations
from services.monitoring.service_layer.context import Context
from services.monitoring.service_layer.ingest import BatchResult, RawBatch
from shared.clock import SystemClock
from shared.db import make_engine
from shared.migrations import upgrade

pytestmark = pytest.mark.integration

HOUR_MS = 3_600_000
CONFIG = MonitoringConfig(hysteresis=Hysteresis(open_after=3, clear_after=3))
SECTION = Station(
    station_id="WS-R",
    name="Sanbei Canal, Hushan bridge",
    type=StationType.WATER_SECTION,
    lat=30.17,
    lon=121.27,
    town="Hushan",
    parameters=(Parameter("NH3N", "mg/L", 3600),),
    details=WaterSection("Sanbei Canal", 3.5, gb3838.WaterClass.III, gb3838.WaterBody.RIVER, True),
)


def _replica(url: str) -> Context:
    context = make_context(make_engine(url), SystemClock(), CONFIG)
    context.load()
    return context


def _ingest(replica: Context, first_hour: int, values: list[float]) -> BatchResult:
    ts = [first_hour + i * HOUR_MS for i in range(len(values))]
    raw = RawBatch(["WS-R"] * len(values), ["NH3N"] * len(values), ts, list(values), [0] * len(values))
    return replica.ingestor.ingest(raw)


def _open(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM exceedances WHERE cleared_ts IS NULL")).scalar()
    engine.dispose()
    return int(count or 0)


def test_a_replica_with_stale_state_does_not_lose_its_batch(pg_url: str, tmp_path: Path) -> None:
    upgrade(make_engine(pg_url), HISTORY)
    a, b = _replica(pg_url), _replica(pg_url)
    stations.register(a, station_in=SECTION)
    start = (int(time.time() * 1000) // HOUR_MS - 20) * HOUR_MS
    _ingest(a, start, [0.4])
    _ingest(b, start + HOUR_MS, [0.5])  # both replicas now hold the series' state in memory
    opened = _ingest(a, start + 2 * HOUR_MS, [1.6, 1.7, 1.8])
    assert len(opened.alarms) == 1
    # B still believes nothing is open: judged on its state it would open a second exceedance.
    later = _ingest(b, start + 5 * HOUR_MS, [1.9, 2.0, 2.1])
    assert later.accepted == 3 and later.alarms == []
    assert _open(pg_url) == 1


def test_concurrent_batches_of_one_station_on_two_replicas_take_turns(pg_url: str, tmp_path: Path) -> None:
    upgrade(make_engine(pg_url), HISTORY)
    a, b = _replica(pg_url), _replica(pg_url)
    stations.register(a, station_in=SECTION)
    start = (int(time.time() * 1000) // HOUR_MS - 100) * HOUR_MS
    errors: list[BaseException] = []

    def run(replica: Context, offset: int) -> None:
        try:
            for n in range(10):  # interleaved hours: each replica's batches are late for the other
                _ingest(replica, start + (2 * n + offset) * HOUR_MS * 3, [1.6, 1.7, 1.8])
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(r, o)) for r, o in ((a, 0), (b, 1))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert _open(pg_url) == 1
    engine = sa.create_engine(pg_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM readings")).scalar() == 60
    engine.dispose()


def test_a_batch_waits_while_another_transaction_holds_its_stations_lock(pg_url: str) -> None:
    upgrade(make_engine(pg_url), HISTORY)
    a = _replica(pg_url)
    stations.register(a, station_in=SECTION)
    start = (int(time.time() * 1000) // HOUR_MS - 20) * HOUR_MS
    other = sa.create_engine(pg_url)
    done = threading.Event()
    with other.connect() as conn:
        holding = conn.begin()  # another replica's batch of WS-R, in progress
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('WS-R'))"))

        def ingest_then_signal() -> None:
            _ingest(a, start, [0.4])
            done.set()

        worker = threading.Thread(target=ingest_then_signal)
        worker.start()
        assert not done.wait(1.5)  # waits for the other transaction
        holding.rollback()
    assert done.wait(30)
    worker.join()
    other.dispose()
