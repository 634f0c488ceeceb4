"""The demo city's dates, all relative to the day it is loaded (never to a fixed month or day).

A demo loaded on 1 December must tell the same story as one loaded on 1 July: permits of every age
still valid today, the oldest ones due for renewal within the next weeks.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from shared.china_time import local_day
from shared.dates import shift_months, shift_years

# 排污许可管理条例 (2021) art. 13: a discharge permit is valid five years.
PERMIT_TERM_YEARS = 5
# The oldest demo permits end this many days after the load: an enterprise must apply for renewal no
# later than 60 days before expiry (art. 14), so theirs is due within the next 15 days.
DAYS_LEFT_ON_OLDEST = 75
RENEWAL_APPLY_DAYS = 60


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (Civil Code art. 202 for 29 February)."""
    return shift_years(day, -years)


def permit_valid_from(today: date, age_years: int) -> date:
    """When a demo permit "issued `age_years` ago" started, so that it is valid on `today`.

    Ages of five or more give a term that began five years minus DAYS_LEFT_ON_OLDEST days ago: valid
    today, with the renewal application due soon. Younger permits began exactly `age_years` ago."""
    if age_years < 0:
        raise ValueError("a permit's age cannot be negative")
    if age_years >= PERMIT_TERM_YEARS:
        return years_before(today, PERMIT_TERM_YEARS) + timedelta(days=DAYS_LEFT_ON_OLDEST)
    return years_before(today, age_years)


def load_day(now: datetime) -> date:
    """The city's date at the moment the demo is loaded (China time, not the machine's zone)."""
    return local_day(now)


def month_before(day: date) -> date:
    """The same day of the month before, or that month's last day (31 March gives 28/29 February)."""
    return shift_months(day, -1)


def last_month(today: date) -> tuple[date, date]:
    """The month that ends today: from the day after the same day a month ago, through today."""
    return month_before(today) + timedelta(days=1), today
