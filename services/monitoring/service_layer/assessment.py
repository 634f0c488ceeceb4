"""Which limit holds for a reading: standards for stations, permit limits for outlets.

Permit limits arrive as events and live in the outlet_limits table; this keeps them in memory and is
reloaded after each permit event commits (and periodically, for limits another replica applied).
An outlet with no valid limit at the reading's time is reported as such, never given a guessed one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.engine import Connection, Engine

from services.monitoring.adapters import repository
from services.monitoring.domain import limits
from services.monitoring.domain.limits import Limit
from services.monitoring.domain.parameters import StationType
from services.monitoring.domain.stations import SourceMonitor, WaterSection
from services.monitoring.service_layer.catalog import SeriesInfo
from shared import china_time

NO_PERMIT = "no valid permit limit"


def _day_start_ms(day: date) -> int:
    # Permit validity is given in calendar dates of China Standard Time.
    return int(china_time.day_start(day).timestamp() * 1000)


@dataclass(frozen=True)
class PermitLimit:
    """A permit limit with its validity as epoch milliseconds [start, end)."""

    limit: Limit
    unit: str
    start_ms: int
    end_ms: int


def _static(info: SeriesInfo) -> tuple[Limit | None, str | None]:
    station = info.station
    code = info.parameter.code
    if info.parameter.alarm_limit is not None:
        return limits.alarm_limit(code, info.parameter.alarm_limit), None
    if station.type == StationType.WATER_SECTION:
        assert isinstance(station.details, WaterSection)
        found = limits.water_limit(code, station.details.target_class, station.details.water_body)
        reason = f"{code} has no GB 3838-2002 class limit for a {station.details.water_body.name.lower()}"
        return found, None if found else reason
    if station.type == StationType.AIR:
        found = limits.air_limit(code)
        return found, None if found else f"{code} has no GB 3095-2012 limit"
    if station.type == StationType.VOCS:
        return None, "no alarm limit set for this VOCs parameter"
    return None, None  # electricity: judged by the electricity rule, not a limit


class Assessor:
    """Finds the limit for each reading; the cache of permit limits is swapped whole on reload."""

    def __init__(self) -> None:
        self._permits: dict[tuple[str, str], PermitLimit] = {}
        self._static: dict[int, tuple[Limit | None, str | None]] = {}
        self._lock = threading.Lock()

    def reload(self, conn: Connection) -> int:
        """Re-read every outlet limit in force; returns how many."""
        fresh: dict[tuple[str, str], PermitLimit] = {}
        for row in repository.get_all_outlet_limits(conn):
            limit = limits.permit_limit(row.parameter, row.limit_value, row.floor, row.permit_number)
            end = _day_start_ms(row.valid_until + timedelta(days=1))
            fresh[(row.outlet_id, row.parameter)] = PermitLimit(
                limit, row.unit, _day_start_ms(row.valid_from), end
            )
        with self._lock:
            self._permits = fresh
        return len(fresh)

    def reload_from(self, engine: Engine) -> int:
        """reload() in its own connection."""
        with engine.connect() as conn:
            return self.reload(conn)

    def limit(self, info: SeriesInfo, ts: int) -> tuple[Limit | None, str | None]:
        """The limit at time ts, or None with the reason (None too when no limit applies by design)."""
        details = info.station.details
        if isinstance(details, SourceMonitor):
            if info.parameter.alarm_limit is not None:
                return limits.alarm_limit(info.parameter.code, info.parameter.alarm_limit), None
            permit = self._permits.get((details.outlet_id, info.parameter.code))
            if permit is None or not permit.start_ms <= ts < permit.end_ms:
                return None, NO_PERMIT
            if permit.unit != info.parameter.unit:
                return (
                    None,
                    f"permit limit is in {permit.unit!r}, the monitor reports {info.parameter.unit!r}",
                )
            return permit.limit, None
        cached = self._static.get(info.series_id)
        if cached is None:
            cached = self._static[info.series_id] = _static(info)
        return cached
