"""Section class history (GB 3838-2002 single-factor method) per hour, day, month, quarter, year.

Every mean is exact (shared/exact.py) and meets the class limits rounded to their decimals. An
hour's or a day's mean is the mean of its unflagged readings. A month's, quarter's or year's mean is
the mean of its daily means, and needs as many of them as GB 3095-2012 table 4 asks of a monthly or
annual mean (domain/validity.py): the national water-assessment statistics are not in
REFERENCE.md, so the platform holds automatic sections to the air standard's counts, as issue 9
asks. A parameter short of them is left out of the bucket's class with the reason; a bucket with
no valid parameter is listed under `invalid` with the reasons.
"""

from __future__ import annotations

from fractions import Fraction

from sqlalchemy.engine import Connection, Engine

from services.monitoring.adapters import readings as readings_repo
from services.monitoring.adapters import repository
from services.monitoring.domain import gb3838, periods, validity, views
from services.monitoring.domain.periods import CST, DAY_MS, HOUR_MS
from services.monitoring.domain.stations import WaterSection
from services.monitoring.domain.validity import Period
from shared.errors import InvalidArgument, NotFound

# At most this many buckets (hours, days) per query; month, quarter and year read daily means, so
# their range is at most this many days (about five and a half years).
MAX_BUCKETS = 2000
_PERIOD_NAMES = {Period.MONTH: "monthly", Period.QUARTER: "quarterly", Period.YEAR: "annual"}


def period_of(interval: int) -> Period:
    """The period of an eco.v1.Interval; INVALID_ARGUMENT for none."""
    try:
        return Period(interval)
    except ValueError:
        raise InvalidArgument(
            "interval",
            "must be INTERVAL_HOUR, INTERVAL_DAY, INTERVAL_MONTH, INTERVAL_QUARTER or INTERVAL_YEAR",
        ) from None


def _check_range(start: int, end: int, period: Period) -> None:
    if end <= start:
        raise InvalidArgument("to", "must be after from")
    unit = HOUR_MS if period == Period.HOUR else DAY_MS
    if (end - start) // unit > MAX_BUCKETS:
        what = "hours" if period == Period.HOUR else "days"
        raise InvalidArgument("to", f"at most {MAX_BUCKETS} {what} per query")


def _bucket_means(
    conn: Connection, series_id: int, buckets: list[periods.Bucket], period: Period
) -> dict[int, tuple[Fraction, int] | str]:
    """bucket start -> (exact mean, values averaged), or the reason the bucket's mean is invalid.

    Buckets without any unflagged reading are absent."""
    size = HOUR_MS if period == Period.HOUR else DAY_MS
    offset = 0 if period == Period.HOUR else int(CST.utcoffset(None).total_seconds() * 1000)
    rows = readings_repo.exact_buckets(
        conn, series_id=series_id, start=buckets[0].start, end=buckets[-1].end, size_ms=size, offset_ms=offset
    )
    if period in (Period.HOUR, Period.DAY):
        return {r.start: (Fraction(r.total) / r.count, r.count) for r in rows}
    daily = {r.start: Fraction(r.total) / r.count for r in rows}
    result: dict[int, tuple[Fraction, int] | str] = {}
    for b in buckets:
        means = [m for t, m in daily.items() if b.start <= t < b.end]
        if not means:
            continue
        need = validity.min_days(b.first_day, period)
        short = validity.count_shortfall(
            len(means), need, f"of {periods.days_in(b)} daily means", f"a {_PERIOD_NAMES[period]} mean"
        )
        result[b.start] = short if short else (sum(means, Fraction(0)) / len(means), len(means))
    return result


def section_classes(
    engine: Engine, *, station_id: str, start: int, end: int, interval: int
) -> views.SectionClassHistory:
    """The section's class per bucket: the worst class of its parameters' exact bucket means."""
    period = period_of(interval)
    _check_range(start, end, period)
    buckets = periods.buckets(start, end, period)
    with engine.connect() as conn:
        stored = repository.get(conn, station_id=station_id)
        if stored is None:
            raise NotFound("station", station_id)
        section = stored.station.details
        if not isinstance(section, WaterSection):
            raise InvalidArgument("station_id", f"{station_id!r} is not a water_section station")
        found: dict[int, dict[str, tuple[Fraction, int] | str]] = {}
        for p in stored.station.parameters:
            if gb3838.is_assessed(p.code, section.water_body):
                for at, value in _bucket_means(conn, stored.series_ids[p.code], buckets, period).items():
                    found.setdefault(at, {})[p.code] = value
    history = views.SectionClassHistory(
        station_id=station_id, target_class=section.target_class, interval=interval
    )
    for at in sorted(found):
        classes: dict[str, gb3838.WaterClass] = {}
        notes = [f"{code}: {v}" for code, v in sorted(found[at].items()) if isinstance(v, str)]
        valid = {code: v for code, v in sorted(found[at].items()) if not isinstance(v, str)}
        if not valid:
            history.invalid.append(views.InvalidBucket(at, "; ".join(notes)))
            continue
        parameters = []
        for code, (mean, count) in valid.items():
            water_class = gb3838.mean_class(code, mean, section.water_body)
            assert water_class is not None
            classes[code] = water_class
            parameters.append(
                views.ParameterClass(
                    parameter=code,
                    mean=float(mean),
                    water_class=water_class,
                    values=count,
                    compared_mean=gb3838.compared_value(code, mean, water_class, section.water_body),
                )
            )
        worst, worst_codes = gb3838.section_class(classes)
        assert worst is not None
        history.points.append(
            views.SectionClassPoint(
                start=at,
                water_class=worst,
                parameters=parameters,
                worst_parameters=worst_codes,
                meets_target=worst <= section.target_class,
                notes=notes,
            )
        )
    return history
