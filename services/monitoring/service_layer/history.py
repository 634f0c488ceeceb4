"""Section class history (GB 3838-2002) and AQI history (HJ 633-2012) from stored readings."""

from __future__ import annotations

from sqlalchemy.engine import Connection, Engine

from eco.v1 import monitoring_pb2
from services.monitoring.adapters import readings as readings_repo
from services.monitoring.adapters import repository
from services.monitoring.domain import gb3838, hj633
from services.monitoring.domain.parameters import StationType
from services.monitoring.domain.stations import WaterSection
from services.monitoring.service_layer import messages
from services.monitoring.service_layer.queries import DAY_MS, HOUR_MS, bucket_geometry, check_range
from shared import china_time
from shared.errors import InvalidArgument, NotFound

AIR_CODES = ("SO2", "NO2", "CO", "O3", "PM10", "PM25")
# GB 3095-2012 table 4 (data validity): a 24 h mean needs 20 hourly means, an 8 h mean needs 6.
MIN_HOURS_PER_DAY = 20
MIN_HOURS_PER_8H = 6
# The day's maximum 8 h mean of O3 is over the 8 h moving means ending 08:00 to 24:00 of that day
# (the definition HJ 663-2013 gives, used with GB 3095-2012 and HJ 633-2012), none reaching back
# into the day before. Hourly buckets are
# labelled by their start: the mean ending 08:00 is the one whose last hour starts 07:00.
FIRST_O3_8H_END_HOUR = 7


def _station(conn: Connection, station_id: str, station_type: StationType) -> repository.StoredStation:
    stored = repository.get(conn, station_id=station_id)
    if stored is None:
        raise NotFound("station", station_id)
    if stored.station.type != station_type:
        raise InvalidArgument("station_id", f"{station_id!r} is not a {station_type.name.lower()} station")
    return stored


def section_classes(
    engine: Engine, *, station_id: str, start: int, end: int, interval: int
) -> monitoring_pb2.SectionClassHistory:
    """The section's class per bucket: worst class of the parameters' bucket means (single-factor)."""
    size, offset = bucket_geometry(interval)
    check_range(start, end, size)
    with engine.connect() as conn:
        stored = _station(conn, station_id, StationType.WATER_SECTION)
        section = stored.station.details
        assert isinstance(section, WaterSection)
        means: dict[int, dict[str, float]] = {}
        for p in stored.station.parameters:
            if not gb3838.is_assessed(p.code, section.water_body):
                continue
            for b in readings_repo.buckets(
                conn,
                series_id=stored.series_ids[p.code],
                start=start,
                end=end,
                size_ms=size,
                offset_ms=offset,
            ):
                if b.mean is not None:
                    means.setdefault(b.start, {})[p.code] = b.mean
    history = monitoring_pb2.SectionClassHistory(
        station_id=station_id,
        target_class=messages.pb_enum(section.target_class),
        interval=messages.pb_enum(interval),
    )
    for at in sorted(means):
        classes: dict[str, gb3838.WaterClass] = {}
        point = history.points.add(start=messages.timestamp(at))
        for code, mean in sorted(means[at].items()):
            water_class = gb3838.reading_class(code, mean, section.water_body)
            assert water_class is not None
            classes[code] = water_class
            point.parameters.add(parameter=code, mean=mean, water_class=messages.pb_enum(water_class))
        worst, worst_codes = gb3838.section_class(classes)
        assert worst is not None
        point.water_class = messages.pb_enum(worst)
        point.worst_parameters.extend(worst_codes)
        point.meets_target = worst <= section.target_class
    return history


def _mean(values: list[float | None], minimum: int) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if len(present) >= minimum else None


def _aqi_point(
    history: monitoring_pb2.AqiHistory, at: int, result: hj633.AqiResult | None, incomplete: bool = False
) -> None:
    if result is None:
        return
    point = history.points.add(
        start=messages.timestamp(at),
        aqi=result.aqi,
        level=messages.pb_enum(result.level),
        incomplete=incomplete,
    )
    point.primary_pollutants.extend(result.primary_pollutants)
    for p in result.pollutants:
        point.pollutants.add(indicator=p.indicator, concentration=p.concentration, iaqi=p.iaqi)


def aqi_history(
    engine: Engine, *, station_id: str, start: int, end: int, interval: int
) -> monitoring_pb2.AqiHistory:
    """Hourly real-time AQI or daily AQI of an air station (HJ 633-2012 5.1), from hourly means."""
    size, _ = bucket_geometry(interval)
    check_range(start, end, size)
    first_hour = start // HOUR_MS * HOUR_MS
    if interval == monitoring_pb2.INTERVAL_DAY:
        first_hour = (start + china_time.OFFSET_MS) // DAY_MS * DAY_MS - china_time.OFFSET_MS
    # 24 h of history before the range feeds the moving averages of its first hours.
    load_from = first_hour - DAY_MS
    hourly: dict[str, dict[int, float]] = {}
    with engine.connect() as conn:
        stored = _station(conn, station_id, StationType.AIR)
        for code in AIR_CODES:
            if code in stored.series_ids:
                buckets = readings_repo.buckets(
                    conn,
                    series_id=stored.series_ids[code],
                    start=load_from,
                    end=end,
                    size_ms=HOUR_MS,
                    offset_ms=0,
                )
                hourly[code] = {b.start: b.mean for b in buckets if b.mean is not None}

    def window(code: str, hour: int, hours: int) -> list[float | None]:
        series = hourly.get(code, {})
        return [series.get(hour - i * HOUR_MS) for i in range(hours)]

    history = monitoring_pb2.AqiHistory(station_id=station_id, interval=messages.pb_enum(interval))
    if interval == monitoring_pb2.INTERVAL_HOUR:
        for hour in range(first_hour, end, HOUR_MS):
            means = {code: v for code in AIR_CODES if (v := hourly.get(code, {}).get(hour)) is not None}
            if not means:
                continue
            so2_24h = _mean(window("SO2", hour, 24), MIN_HOURS_PER_DAY)
            incomplete = False
            if so2_24h is None and means.get("SO2", 0.0) > hj633.BREAKPOINTS["SO2_1H"][-1]:
                # SO2 1 h above 800 is indexed by its 24 h mean (HJ 633-2012 table 1 note 2); with
                # fewer than 20 hours, the mean of the hours there are, marked incomplete, rather
                # than leaving the worst pollutant of the hour out of its AQI.
                so2_24h, incomplete = _mean(window("SO2", hour, 24), 1), True
            o3_8h = _mean(window("O3", hour, 8), MIN_HOURS_PER_8H)
            result = hj633.hourly_aqi(means, so2_24h=so2_24h, o3_8h=o3_8h)
            _aqi_point(history, hour, result, incomplete)
        return history
    for day in range(first_hour, end, DAY_MS):
        last_hour = day + DAY_MS - HOUR_MS
        day_means = {
            c: v
            for c in AIR_CODES
            if c != "O3" and (v := _mean(window(c, last_hour, 24), MIN_HOURS_PER_DAY)) is not None
        }
        o3_hours = [v for v in window("O3", last_hour, 24) if v is not None]
        eights = [
            m
            for h in range(day + FIRST_O3_8H_END_HOUR * HOUR_MS, day + DAY_MS, HOUR_MS)
            if (m := _mean(window("O3", h, 8), MIN_HOURS_PER_8H)) is not None
        ]
        _aqi_point(
            history,
            day,
            hj633.daily_aqi(
                day_means, o3_1h_max=max(o3_hours, default=None), o3_8h_max=max(eights, default=None)
            ),
        )
    return history
