"""The stations and series the ingestion path knows, in memory, refreshed from the database.

Every reading names a station and parameter; looking them up must cost a dict access, not a query.
A station registered by another replica is found by one query per batch that names it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from services.monitoring.adapters import repository
from services.monitoring.domain.parameters import ParameterKind, kind_of
from services.monitoring.domain.stations import (
    ElectricityMonitor,
    Equipment,
    Parameter,
    SourceMonitor,
    Station,
)

# An unknown station id is looked up again only after this long, so junk input cannot load the DB.
_NEGATIVE_TTL_SECONDS = 10.0


@dataclass(frozen=True)
class SeriesInfo:
    """One station's parameter, as the ingestion path needs it."""

    series_id: int
    station: Station
    parameter: Parameter
    kind: ParameterKind

    @property
    def interval_ms(self) -> int:
        """Expected milliseconds between readings."""
        return self.parameter.interval_seconds * 1000


class Catalog:
    """Stations and series by id; safe to read from many threads."""

    def __init__(self) -> None:
        self._series: dict[tuple[str, str], SeriesInfo] = {}
        self._by_id: dict[int, SeriesInfo] = {}
        self._stations: dict[str, Station] = {}
        self._lines_of_facility: dict[str, list[str]] = {}
        self._unknown: dict[str, float] = {}
        self._lock = threading.Lock()

    def add(self, stored: repository.StoredStation) -> None:
        """Know a station and its series."""
        station = stored.station
        with self._lock:
            self._stations[station.station_id] = station
            self._unknown.pop(station.station_id, None)
            for p in station.parameters:
                kind = kind_of(station.type, p.code)
                if kind is None:  # a catalogue entry removed since registration: ignore the series
                    continue
                info = SeriesInfo(stored.series_ids[p.code], station, p, kind)
                self._series[(station.station_id, p.code)] = info
                self._by_id[info.series_id] = info
            details = station.details
            if isinstance(details, ElectricityMonitor) and details.equipment == Equipment.PRODUCTION_LINE:
                lines = self._lines_of_facility.setdefault(details.linked_station_id, [])
                if station.station_id not in lines:
                    lines.append(station.station_id)

    def load(self, conn: Connection) -> int:
        """Load every station (at start-up); returns how many."""
        stored = repository.get_all(conn)
        for s in stored:
            self.add(s)
        return len(stored)

    def find_missing(self, conn: Connection, station_ids: Iterable[str]) -> None:
        """Look up stations this replica has not seen (registered elsewhere), at most every few seconds."""
        now = time.monotonic()
        wanted = [
            sid
            for sid in set(station_ids)
            if sid not in self._stations and now - self._unknown.get(sid, -1e9) > _NEGATIVE_TTL_SECONDS
        ]
        if not wanted:
            return
        found = repository.get_all(conn, station_ids=wanted)
        for s in found:
            self.add(s)
        with self._lock:
            for sid in set(wanted) - {s.station.station_id for s in found}:
                self._unknown[sid] = now

    def series(self, station_id: str, code: str) -> SeriesInfo | None:
        """The series of a station's parameter."""
        return self._series.get((station_id, code))

    def by_id(self, series_id: int) -> SeriesInfo | None:
        """A series by its id."""
        return self._by_id.get(series_id)

    def station(self, station_id: str) -> Station | None:
        """A known station."""
        return self._stations.get(station_id)

    def has_station(self, station_id: str) -> bool:
        """Whether the station is known."""
        return station_id in self._stations

    def lines_of(self, facility_station_id: str) -> list[str]:
        """Production-line monitors linked to a treatment-facility monitor."""
        return list(self._lines_of_facility.get(facility_station_id, ()))

    def outlet_monitors(self, uscc: str) -> list[Station]:
        """The online monitors on an enterprise's outlets (a scan: used per permit event, not per reading)."""
        with self._lock:
            stations = list(self._stations.values())
        return [s for s in stations if isinstance(s.details, SourceMonitor) and s.details.uscc == uscc]

    def all_series(self) -> list[SeriesInfo]:
        """Every known series."""
        return list(self._by_id.values())
