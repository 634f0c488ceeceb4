"""Read side: station status, time series with coverage, the coverage KPI, alarms, outlet thresholds.

Results are plain values (domain/views.py); entrypoints/messages.py gives them their contract form.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from services.monitoring.adapters import alarms as alarms_repo
from services.monitoring.adapters import readings as readings_repo
from services.monitoring.adapters import repository
from services.monitoring.domain import gb3838, views
from services.monitoring.domain.parameters import StationType
from services.monitoring.domain.records import FaultRecord
from services.monitoring.domain.stations import SourceMonitor, WaterSection
from services.monitoring.domain.validity import Period
from shared import china_time
from shared.clock import Clock
from shared.errors import InvalidArgument, NotFound

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
# The plan's target: every county-level-or-above section monitored automatically (REFERENCE.md).
COVERAGE_TARGET = 1.0
MAX_BUCKETS = 2000
# Status note of an outlet monitor registered before any permit named its outlet. Registration
# accepts it (a monitor may be installed before the permit is entered); its readings are stored
# and listed as unassessed ("no valid permit limit") until a permit event brings limits.
NO_PERMIT_YET = "no permit limits for this outlet yet"
NO_SECTIONS = "no county-level-or-above water section is registered: the KPI is undefined"


def bucket_geometry(interval: int) -> tuple[int, int]:
    """(bucket size, alignment offset) of an eco.v1.Interval."""
    if interval == Period.HOUR:
        return HOUR_MS, 0
    if interval == Period.DAY:
        # Days are the city's calendar days (China Standard Time).
        return DAY_MS, china_time.OFFSET_MS
    raise InvalidArgument("interval", "must be INTERVAL_HOUR or INTERVAL_DAY")


def check_range(start: int, end: int, size: int) -> int:
    """The aligned start of a query range; InvalidArgument for an empty or too long range."""
    if end <= start:
        raise InvalidArgument("to", "must be after from")
    if (end - start) // size > MAX_BUCKETS:
        raise InvalidArgument("to", f"at most {MAX_BUCKETS} buckets per query")
    return start


def _aligned(start: int, size: int, offset: int) -> int:
    return (start + offset) // size * size - offset


def time_series(
    engine: Engine, *, station_id: str, parameter: str, start: int, end: int, interval: int
) -> views.TimeSeries:
    """Mean, min, max and coverage (received vs expected readings) per bucket."""
    size, offset = bucket_geometry(interval)
    check_range(start, end, size)
    with engine.connect() as conn:
        stored = repository.get(conn, station_id=station_id)
        if stored is None:
            raise NotFound("station", station_id)
        param = stored.station.parameter(parameter)
        if param is None:
            raise InvalidArgument("parameter", f"station {station_id!r} does not measure {parameter!r}")
        found = readings_repo.buckets(
            conn, series_id=stored.series_ids[parameter], start=start, end=end, size_ms=size, offset_ms=offset
        )
    by_start = {b.start: b for b in found}
    interval_ms = param.interval_seconds * 1000
    # Fractional: a bucket finer than the interval expects less than one reading (4-hourly in hourly
    # buckets: 0.25), so a bucket's coverage only says whether its share came; the range's coverage,
    # received over (range / interval), is the figure to quote.
    expected = size / interval_ms
    series = views.TimeSeries(station_id=station_id, parameter=parameter, unit=param.unit, interval=interval)
    at = _aligned(start, size, offset)
    while at < end:
        b = by_start.get(at)
        point = views.SeriesPoint(start=at, expected=max(1, size // interval_ms), expected_readings=expected)
        if b is not None:
            point.received, point.flagged = b.received, b.flagged
            point.coverage = min(1.0, b.received / expected)
            if b.mean is not None:
                point.mean, point.low, point.high = b.mean, b.low or 0.0, b.high or 0.0
        series.points.append(point)
        at += size
    series.received = sum(b.received for b in found)
    series.expected = (end - start) / interval_ms
    series.coverage = min(1.0, series.received / series.expected)
    return series


def station_status(
    engine: Engine,
    clock: Clock,
    *,
    station_type: StationType | None,
    station_ids: list[str],
    after: str,
    limit: int,
) -> tuple[list[views.StationStatus], str]:
    """The latest reading of each parameter of a page of stations, from the latest-reading table."""
    now_ms = int(clock.now().timestamp() * 1000)
    with engine.connect() as conn:
        page = repository.get_all(
            conn, station_type=station_type, station_ids=station_ids or None, after=after, limit=limit + 1
        )
        more = len(page) > limit
        page = page[:limit]
        ids = [sid for s in page for sid in s.series_ids.values()]
        latest = readings_repo.latest_of(conn, series_ids=ids)
        open_exc, open_faults = alarms_repo.count_open(conn, station_ids=[s.station.station_id for s in page])
        exceeding = alarms_repo.open_exceedance_series(conn, series_ids=ids)
        outlets = [s.station.details.outlet_id for s in page if isinstance(s.station.details, SourceMonitor)]
        with_limits = repository.outlets_with_limits(conn, outlet_ids=outlets)
    result = []
    for s in page:
        station = s.station
        status = views.StationStatus(
            station=station,
            open_exceedances=open_exc.get(station.station_id, 0),
            open_faults=open_faults.get(station.station_id, 0),
        )
        if isinstance(station.details, SourceMonitor) and station.details.outlet_id not in with_limits:
            status.notes.append(NO_PERMIT_YET)
        newest = 0
        classes: dict[str, gb3838.WaterClass] = {}
        for p in station.parameters:
            sid = s.series_ids[p.code]
            if sid not in latest:
                continue
            ts, value, flags = latest[sid]
            newest = max(newest, ts)
            water_class = None
            if isinstance(station.details, WaterSection):
                water_class = gb3838.reading_class(p.code, value, station.details.water_body)
                if water_class is not None and flags == 0:
                    classes[p.code] = water_class
            status.parameters.append(
                views.ParameterStatus(
                    parameter=p.code,
                    unit=p.unit,
                    time=ts,
                    value=value,
                    flags=flags,
                    exceeding=sid in exceeding,
                    water_class=water_class,
                )
            )
        if newest:
            status.last_reading_at = newest
            status.reporting = now_ms - newest <= DAY_MS
        status.water_class, _ = gb3838.section_class(classes)
        result.append(status)
    return result, page[-1].station.station_id if more and page else ""


def section_coverage(engine: Engine, clock: Clock) -> views.SectionCoverage:
    """Share of county-level-or-above sections whose automatic station reported in the last 24 h.

    Reporting means at least one valid reading in the window: a section whose readings were all
    flagged (faulty device, maintenance) is not monitoring the water. With no such section the KPI
    has no denominator and says so (`undefined`), rather than claim a measured 0.
    """
    now = clock.now()
    since = int((now - timedelta(hours=24)).timestamp() * 1000)
    with engine.connect() as conn:
        sections = [
            s
            for s in repository.get_all(conn, station_type=StationType.WATER_SECTION)
            if isinstance(s.station.details, WaterSection) and s.station.details.county_level_or_above
        ]
        valid = readings_repo.series_with_valid_readings(
            conn, series_ids=[sid for s in sections for sid in s.series_ids.values()], since=since
        )
    silent = [s.station.station_id for s in sections if not valid.intersection(s.series_ids.values())]
    total = len(sections)
    reporting = total - len(silent)
    return views.SectionCoverage(
        value=reporting / total if total else 0.0,
        target=COVERAGE_TARGET,
        numerator=reporting,
        denominator=total,
        silent_station_ids=silent,
        undefined=total == 0,
        note=NO_SECTIONS if total == 0 else "",
        at=now,
    )


def exceedances(
    engine: Engine, *, station_id: str, open_only: bool, after: tuple[int, str] | None, limit: int
) -> list[views.StationExceedance]:
    """Exceedances, newest first, after the (opened_ts, id) of the previous page's last."""
    with engine.connect() as conn:
        rows = alarms_repo.get_all_exceedances(
            conn, station_id=station_id, open_only=open_only, after=after, limit=limit
        )
        stations = (
            {
                s.station.station_id: s.station
                for s in repository.get_all(conn, station_ids=list({r.station_id for r in rows}))
            }
            if rows
            else {}
        )
    return [views.StationExceedance(r, stations[r.station_id]) for r in rows if r.station_id in stations]


def faults(
    engine: Engine, *, station_id: str, open_only: bool, after: tuple[int, str] | None, limit: int
) -> list[FaultRecord]:
    """Device faults, newest first, after the (opened_ts, id) of the previous page's last."""
    with engine.connect() as conn:
        rows = alarms_repo.get_all_faults(
            conn, station_id=station_id, open_only=open_only, after=after, limit=limit
        )
    return rows


def outlet_thresholds(engine: Engine, *, outlet_id: str) -> views.OutletThresholds:
    """The permit limits in force for an outlet (none: the outlet has no valid permit limit)."""
    if not outlet_id:
        raise InvalidArgument("outlet_id", "is required")
    with engine.connect() as conn:
        rows = repository.get_all_outlet_limits(conn, outlet_id=outlet_id)
    return views.OutletThresholds(outlet_id=outlet_id, limits=rows)
