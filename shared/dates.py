"""Calendar arithmetic on dates people read: the same day some years or months away.

Civil Code art. 202: where the corresponding day does not exist in the month reached (29 February
in a common year, 31 April), the period ends on the last day of that month.
"""

from __future__ import annotations

import calendar
from datetime import date


def shift_months(day: date, months: int) -> date:
    """The same day `months` later (earlier when negative), or that month's last day if it lacks one."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def shift_years(day: date, years: int) -> date:
    """The same day `years` later (earlier when negative); 29 February becomes 28 February."""
    return shift_months(day, 12 * years)
