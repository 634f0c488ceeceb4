"""Calendar arithmetic at the days that break naive code: 1 Jan, 29 Feb, 1 Dec, 31 Dec, month ends."""

from __future__ import annotations

from datetime import date

import pytest

from services.evaluation.domain.periods import Period, month_ends, period
from shared.dates import shift_months, shift_years


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 1, 1), -1, date(2026, 12, 1)),
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
        (date(2028, 3, 31), -1, date(2028, 2, 29)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 12, 31), -12, date(2025, 12, 31)),
    ],
)
def test_shift_months_keeps_the_day_or_takes_the_months_last(day: date, months: int, expected: date) -> None:
    assert shift_months(day, months) == expected


def test_shift_years_from_29_february() -> None:
    assert shift_years(date(2028, 2, 29), 4) == date(2032, 2, 29)
    assert shift_years(date(2028, 2, 29), -5) == date(2023, 2, 28)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 12, 1), date(2026, 12, 31), [date(2026, 12, 31)]),
        (date(2026, 12, 31), date(2027, 1, 1), [date(2026, 12, 31), date(2027, 1, 1)]),
        (date(2028, 1, 31), date(2028, 3, 1), [date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 1)]),
    ],
)
def test_month_ends_across_year_ends_and_leap_februaries(
    start: date, end: date, expected: list[date]
) -> None:
    assert month_ends(Period(start, end)) == expected


@pytest.mark.parametrize(
    "today", [date(2027, 1, 1), date(2028, 2, 29), date(2026, 12, 1), date(2026, 12, 31)]
)
def test_the_default_period_runs_from_1_january_to_today(today: date) -> None:
    assert period(None, None, today) == Period(date(today.year, 1, 1), today)
