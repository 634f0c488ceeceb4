"""Builders for monitoring's unit tests: a wired service layer on SQLite and stations to register."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from eco.v1 import events_pb2, monitoring_pb2  # noqa: F401 - registers the event types for unpacking
from services.monitoring.bootstrap import make_context
from services.monitoring.config import MonitoringConfig
from services.monitoring.domain import gb3838
from services.monitoring.domain.exceedance import Hysteresis
from services.monitoring.domain.parameters import StationType
from services.monitoring.domain.quality import QualityRules
from services.monitoring.domain.stations import (
    ElectricityMonitor,
    Equipment,
    Parameter,
    SourceMonitor,
    Station,
    WaterSection,
)
from services.monitoring.migrations import HISTORY
from services.monitoring.service_layer import stations
from services.monitoring.service_layer.ingest import BatchResult, RawBatch
from shared import events
from shared.clock import ManualClock
from shared.db import make_engine
from shared.migrations import upgrade
from shared.schema import outbox

START = datetime(2025, 6, 1, 0, 0, tzinfo=UTC)
START_MS = int(START.timestamp() * 1000)
HOUR = 3_600_000
USCC = "91330100716105852F"  # a real code that passes GB 32100 (REFERENCE.md)


class Harness:
    """The monitoring service layer on a SQLite file, with a manual clock and a counter of wake-ups."""

    def __init__(
        self, tmp_path: Path, config: MonitoringConfig | None = None, *, db_name: str = "m.db"
    ) -> None:
        self.url = f"sqlite:///{tmp_path / db_name}"
        self.engine = make_engine(self.url)
        upgrade(self.engine, HISTORY)
        self.clock = ManualClock(START + datetime.resolution * 0)
        self.clock.set(datetime(2025, 6, 10, tzinfo=UTC))
        self.config = config or MonitoringConfig(
            hysteresis=Hysteresis(open_after=3, clear_after=2), quality=QualityRules(flat_line_count=4)
        )
        self.notified = 0
        self.ctx = make_context(self.engine, self.clock, self.config, self._notify)
        self.ctx.load()

    def _notify(self) -> None:
        self.notified += 1

    def restart(self) -> Harness:
        """A new process on the same database (in-memory state rebuilt from it)."""
        clone = object.__new__(Harness)
        clone.url, clone.engine, clone.clock, clone.config = self.url, self.engine, self.clock, self.config
        clone.notified = 0
        clone.ctx = make_context(self.engine, self.clock, self.config, clone._notify)
        clone.ctx.load()
        return clone

    def register(self, station: Station) -> Station:
        """Register through the service layer."""
        stored, _ = stations.register(self.ctx, station_in=station)
        return stored

    def ingest(
        self, readings: Iterable[tuple[str, str, int, float] | tuple[str, str, int, float, int]]
    ) -> BatchResult:
        """Ingest (station, parameter, epoch ms, value[, flags]) tuples as one batch."""
        rows = [(*r, 0) if len(r) == 4 else r for r in readings]
        raw = RawBatch(
            station_ids=[r[0] for r in rows],
            parameters=[r[1] for r in rows],
            ts=[int(r[2]) for r in rows],
            values=[float(r[3]) for r in rows],
            flags=[int(r[4]) for r in rows],
        )
        return self.ctx.ingestor.ingest(raw)

    def events(self, event_type: str | None = None) -> list[tuple[str, Any]]:
        """Events in the outbox, oldest first: (type, payload)."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(outbox.c.event_type, outbox.c.envelope).order_by(outbox.c.id)).all()
        found = []
        for event_type_row, raw in rows:
            if event_type is None or event_type_row == event_type:
                found.append((event_type_row, events.unpack(events.decode(bytes(raw)))))
        return found

    def scalar(self, sql: str) -> object:
        """One value from a SQL query."""
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql)).scalar()


def water_station(
    station_id: str = "WS-1",
    *,
    target: gb3838.WaterClass = gb3838.WaterClass.III,
    body: gb3838.WaterBody = gb3838.WaterBody.RIVER,
    codes: tuple[str, ...] = ("NH3N", "DO", "TP", "PH"),
    county: bool = True,
) -> Station:
    """A river section on a Cixi river, measuring `codes` every 4 h."""
    units = {"PH": ""}
    return Station(
        station_id=station_id,
        name=f"section {station_id}",
        type=StationType.WATER_SECTION,
        lat=30.17,
        lon=121.27,
        town="Hushan",
        parameters=tuple(Parameter(c, units.get(c, "mg/L"), 4 * 3600) for c in codes),
        details=WaterSection("Sanbei Canal", 12.5, target, body, county),
    )


def air_station(station_id: str = "AIR-1") -> Station:
    """An air station measuring the six HJ 633 pollutants hourly."""
    return Station(
        station_id=station_id,
        name="Cixi air",
        type=StationType.AIR,
        lat=30.18,
        lon=121.25,
        town="Gutang",
        parameters=tuple(
            Parameter(c, "mg/m3" if c == "CO" else "ug/m3", 3600)
            for c in ("SO2", "NO2", "CO", "O3", "PM10", "PM25")
        ),
    )


def source_station(station_id: str = "SRC-1", outlet: str = f"{USCC}-DW001") -> Station:
    """An online monitor on a wastewater outlet, hourly COD and NH3N."""
    return Station(
        station_id=station_id,
        name="outlet monitor",
        type=StationType.POLLUTION_SOURCE,
        lat=30.2,
        lon=121.3,
        town="Zhouxiang",
        parameters=(Parameter("COD", "mg/L", 3600), Parameter("NH3N", "mg/L", 3600)),
        details=SourceMonitor(USCC, outlet),
    )


def power_station(station_id: str, equipment: Equipment, threshold: float, linked: str = "") -> Station:
    """A power monitor every 15 minutes."""
    return Station(
        station_id=station_id,
        name=f"power {station_id}",
        type=StationType.ELECTRICITY,
        lat=30.2,
        lon=121.3,
        town="Zhouxiang",
        parameters=(Parameter("POWER", "kW", 900),),
        details=ElectricityMonitor(USCC, equipment, f"eq-{station_id}", threshold, linked, 0),
    )
