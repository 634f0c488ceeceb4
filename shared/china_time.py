"""The city's clock: China Standard Time, and local ISO times for what people read.

The one definition of the city's time zone; every service and the gateway read it from here.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

# China Standard Time has had no daylight saving since 1991, so a fixed UTC+8 names the city's days.
OFFSET = timedelta(hours=8)
OFFSET_MS = int(OFFSET.total_seconds() * 1000)
CHINA_TIME = timezone(OFFSET, "Asia/Shanghai")


def local_iso(when: datetime) -> str:
    """An aware moment as a local (UTC+8) ISO time to the second, e.g. "2025-03-01T10:00:00+08:00"."""
    return when.astimezone(CHINA_TIME).isoformat(timespec="seconds")


def local_day(when: datetime) -> date:
    """The city's local date at an aware moment."""
    return when.astimezone(CHINA_TIME).date()


def day_start(day: date) -> datetime:
    """The aware instant the city's calendar day `day` begins (00:00 UTC+8)."""
    return datetime.combine(day, time(), tzinfo=CHINA_TIME)
