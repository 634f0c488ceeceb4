"""AQI history (HJ 633-2012) from stored readings; section class history is in section_classes.py."""

from __future__ import annotations

from fractions import Fraction

from sqlalchemy.engine import Connection, Engine

from services.monitoring.adapters import readings as readings_repo
from services.monitoring.adapters import repository
from services.monitoring.domain import air_periods, validity, views
from services.monitoring.domain.air_periods import AIR_CODES, HourlyMeans
from services.monitoring.domain.parameters import StationType
from services.monitoring.domain.validity import Period
from services.monitoring.service_layer.queries import DAY_MS, HOUR_MS, bucket_geometry, check_range
from services.monitoring.service_layer.section_classes import section_classes
from shared import china_time, hj633
from shared.errors import InvalidArgument, NotFound

__all__ = ["aqi_history", "section_classes"]


def _station(conn: Connection, station_id: str, station_type: StationType) -> repository.StoredStation:
    stored = repository.get(conn, station_id=station_id)
    if stored is None:
        raise NotFound("station", station_id)
    if stored.station.type != station_type:
        raise InvalidArgument("station_id", f"{station_id!r} is not a {station_type.name.lower()} station")
    return stored


def _aqi_point(history: views.AqiHistory, at: int, result: hj633.AqiResult | None, notes: list[str]) -> None:
    if result is None:
        if notes:
            history.invalid.append(views.InvalidBucket(at, "; ".join(notes)))
        return
    history.points.append(views.AqiPoint(at, result, notes))


def hourly_means(
    conn: Connection, stored: repository.StoredStation, start: int, end: int
) -> dict[str, HourlyMeans]:
    """Exact hourly means of each air pollutant the station measures; hours under 45 minutes of
    sampling (GB 3095-2012 table 4) are kept apart with their reason."""
    found: dict[str, HourlyMeans] = {}
    for p in stored.station.parameters:
        if p.code not in AIR_CODES:
            continue
        series = found[p.code] = HourlyMeans()
        for b in readings_repo.exact_buckets(
            conn, series_id=stored.series_ids[p.code], start=start, end=end, size_ms=HOUR_MS, offset_ms=0
        ):
            short = validity.hour_shortfall(b.count, p.interval_seconds)
            if short is None:
                series.means[b.start] = Fraction(b.total) / b.count
            else:
                series.invalid[b.start] = short
    return found


def aqi_history(engine: Engine, *, station_id: str, start: int, end: int, interval: int) -> views.AqiHistory:
    """Hourly real-time AQI or daily AQI of an air station (HJ 633-2012 5.1), from exact hourly
    means, with GB 3095-2012 table 4's validity (domain/air_periods.py)."""
    size, _ = bucket_geometry(interval)
    check_range(start, end, size)
    first = start // HOUR_MS * HOUR_MS
    if interval == Period.DAY:
        first = (start + china_time.OFFSET_MS) // DAY_MS * DAY_MS - china_time.OFFSET_MS
    with engine.connect() as conn:
        stored = _station(conn, station_id, StationType.AIR)
        # 24 h of history before the range feeds the moving means of its first hours.
        series = hourly_means(conn, stored, first - DAY_MS, end)
    history = views.AqiHistory(station_id=station_id, interval=interval)
    if interval == Period.HOUR:
        for hour in range(first, end, HOUR_MS):
            if any(s.has_data(hour, 1) for s in series.values()):
                _aqi_point(history, hour, *air_periods.hourly(series, hour))
        return history
    for day in range(first, end, DAY_MS):
        if any(s.has_data(day, 24) for s in series.values()):
            _aqi_point(history, day, *air_periods.daily(series, day))
    return history
