"""When an air station's China-time day is closed, and which closed days the daily-AQI worker looks at.

A calendar day in Cixi runs 00:00-24:00 UTC+8 (shared/china_time.py), so day D closes at 16:00 UTC
of D. Its daily AQI (HJ 633-2012 5.2) is computed only after that: before, the 24-hour means of
GB 3095-2012 table 4 are not whole. Pure date arithmetic, no month or day is special: 1 January
follows 31 December, 29 February exists only in leap years (the standard library's calendar).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from shared import china_time


def last_closed_day(now: datetime) -> date:
    """The newest China-time day that has ended at the aware instant `now` (yesterday in Cixi)."""
    return china_time.local_day(now) - timedelta(days=1)


def is_closed(day: date, now: datetime) -> bool:
    """Whether the China-time day `day` has ended at `now` (its next midnight UTC+8 has passed)."""
    return now >= china_time.day_start(day + timedelta(days=1))


def day_start_ms(day: date) -> int:
    """Epoch milliseconds of the day's first instant (00:00 UTC+8)."""
    return int(china_time.day_start(day).timestamp() * 1000)


def days_to_close(now: datetime, *, days_back: int) -> list[date]:
    """The closed days the worker (re)computes, oldest first: the `days_back` newest closed days.

    `days_back` bounds how long a late reading can still correct a published day: a figure older
    than that stands as published (the worker must not rescan a station's whole history each pass).
    """
    newest = last_closed_day(now)
    return [newest - timedelta(days=n) for n in range(days_back - 1, -1, -1)]


def before_registration(day: date, registered: datetime | None) -> bool:
    """Whether `day` ended before the station was registered (such a day is published only if the
    station has readings of it, back-filled; otherwise the station did not exist yet)."""
    return registered is not None and day < china_time.local_day(registered)
