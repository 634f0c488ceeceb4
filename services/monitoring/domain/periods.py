"""Calendar buckets in China Standard Time: hours, days, months, quarters and years.

Days are calendar days in UTC+8 (no daylight saving); months, quarters and years are made of them.
A query answers for every bucket that overlaps its range, each computed over the whole bucket,
so a month is never judged on the part of it that happened to fall inside the range.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from services.monitoring.domain.validity import Period
from shared.china_time import CHINA_TIME as CST

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


@dataclass(frozen=True)
class Bucket:
    """One bucket: [start, end) in epoch milliseconds, and its first local day."""

    start: int
    end: int
    first_day: date


def day_start_ms(day: date) -> int:
    """Epoch milliseconds of a local midnight."""
    return int(datetime(day.year, day.month, day.day, tzinfo=CST).timestamp() * 1000)


def local_day(ms: int) -> date:
    """The local calendar day of an instant."""
    return datetime.fromtimestamp(ms / 1000, UTC).astimezone(CST).date()


def first_day(day: date, period: Period) -> date:
    """The first day of the month, quarter or year holding `day` (the day itself for DAY)."""
    if period == Period.MONTH:
        return day.replace(day=1)
    if period == Period.QUARTER:
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if period == Period.YEAR:
        return date(day.year, 1, 1)
    return day


def next_first_day(day: date, period: Period) -> date:
    """The first day of the bucket after the one starting on `day`."""
    if period == Period.DAY:
        return day + timedelta(days=1)
    months = {Period.MONTH: 1, Period.QUARTER: 3, Period.YEAR: 12}[period]
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def buckets(start: int, end: int, period: Period) -> list[Bucket]:
    """Every bucket overlapping [start, end), whole."""
    if period == Period.HOUR:
        first = start // HOUR_MS * HOUR_MS
        return [Bucket(t, t + HOUR_MS, local_day(t)) for t in range(first, end, HOUR_MS)]
    result = []
    day = first_day(local_day(start), period)
    while day_start_ms(day) < end:
        following = next_first_day(day, period)
        result.append(Bucket(day_start_ms(day), day_start_ms(following), day))
        day = following
    return result


def days_in(bucket: Bucket) -> int:
    """How many calendar days a bucket of a day or more holds."""
    return (bucket.end - bucket.start) // DAY_MS
