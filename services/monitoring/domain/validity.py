"""Data validity of averaged figures: GB 3095-2012 section 7, table 4 (and HJ 663-2013 for O3).

A figure computed from too few values is not reported as if it were whole: it is invalid, and the
answer says why (REFERENCE.md, air quality index). The counts are the standard's; the reasons are
what a query answer carries next to a bucket or indicator it leaves out.
"""

from __future__ import annotations

from datetime import date
from enum import IntEnum

# GB 3095-2012 table 4: a 1-hour mean needs at least 45 minutes of sampling in the hour.
MIN_MINUTES_PER_HOUR = 45
# GB 3095-2012 table 4: a 24-hour mean needs at least 20 hourly means of the day.
MIN_HOURS_PER_DAY = 20
# GB 3095-2012 table 4: an 8-hour mean needs at least 6 hourly means in its 8 hours.
MIN_HOURS_PER_8H = 6
# HJ 663-2013 (daily maximum 8-hour O3): at least 14 valid 8-hour means of the 17 ending
# 08:00-24:00. (Its exception, a day with fewer that still exceeds the limit, is not applied.)
MIN_O3_8H_MEANS_PER_DAY = 14
# GB 3095-2012 table 4: a monthly mean needs 27 daily means (25 in February); an annual mean 324.
MIN_DAYS_PER_MONTH = 27
MIN_DAYS_FEBRUARY = 25
MIN_DAYS_PER_YEAR = 324


class Period(IntEnum):
    """Averaging periods of a query; values match eco.v1.Interval."""

    HOUR = 1
    DAY = 2
    MONTH = 3
    QUARTER = 4
    YEAR = 5


def min_days_in_month(month: int) -> int:
    """Daily means a monthly mean needs (GB 3095-2012 table 4)."""
    return MIN_DAYS_FEBRUARY if month == 2 else MIN_DAYS_PER_MONTH


def min_days(first_day: date, period: Period) -> int:
    """Daily means a mean over the period starting on first_day needs.

    Month and year are GB 3095-2012 table 4's. The table names no quarter: a quarter needs the sum
    of its months' minima (79 for January-March, 81 otherwise), the platform's reading of it.
    """
    if period == Period.MONTH:
        return min_days_in_month(first_day.month)
    if period == Period.QUARTER:
        return sum(min_days_in_month(first_day.month + i) for i in range(3))
    if period == Period.YEAR:
        return MIN_DAYS_PER_YEAR
    raise ValueError(f"no daily-mean rule for {period.name}")


def hour_shortfall(readings: int, interval_seconds: int) -> str | None:
    """Why an hour's mean is invalid (under 45 minutes of sampling), or None when it is valid.

    Each reading stands for its own interval (a 5-minute analyser's reading covers 5 minutes), so
    an hour needs ceil(45 min / interval) readings; one hourly reading covers its hour.
    """
    minutes = min(60, readings * interval_seconds / 60)
    if minutes >= MIN_MINUTES_PER_HOUR:
        return None
    return (
        f"{minutes:g} minutes of sampling in the hour; GB 3095-2012 table 4 needs "
        f"{MIN_MINUTES_PER_HOUR} for a 1-hour mean"
    )


def count_shortfall(
    have: int, need: int, of: str, mean: str, source: str = "GB 3095-2012 table 4"
) -> str | None:
    """Why a mean of `have` values is invalid when it needs `need`, or None when it is valid.

    For example "19 of 24 hourly values; GB 3095-2012 table 4 needs 20 for a 24-hour mean".
    """
    if have >= need:
        return None
    return f"{have} {of}; {source} needs {need} for {mean}"
