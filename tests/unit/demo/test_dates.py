"""The demo's dates follow the day it is loaded: every permit valid, the oldest in its renewal window."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from deploy.demo import city
from deploy.demo.dates import (
    RENEWAL_APPLY_DAYS,
    last_month,
    load_day,
    month_before,
    permit_valid_from,
    years_before,
)

DAYS = [date(2027, 1, 1), date(2028, 2, 29), date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 31)]


def _term_end(start: date) -> date:
    """Five years including the first day (REFERENCE.md), as an independent computation."""
    try:
        same_day = start.replace(year=start.year + 5)
    except ValueError:  # 29 February -> 1 March; the term ends on 28 February
        same_day = date(start.year + 5, 3, 1)
    return same_day - timedelta(days=1)


def test_years_before_keeps_the_day_or_falls_back_to_28_february() -> None:
    assert years_before(date(2026, 12, 1), 5) == date(2021, 12, 1)
    assert years_before(date(2028, 2, 29), 4) == date(2024, 2, 29)
    assert years_before(date(2028, 2, 29), 1) == date(2027, 2, 28)


@pytest.mark.parametrize("today", DAYS, ids=str)
@pytest.mark.parametrize("age", sorted({e.permit_age_years for e in city.ENTERPRISES}))
def test_every_demo_permit_is_valid_on_the_day_it_is_loaded(today: date, age: int) -> None:
    start = permit_valid_from(today, age)
    assert start <= today <= _term_end(start)


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_the_oldest_permits_are_due_for_renewal_within_a_month(today: date) -> None:
    apply_by = _term_end(permit_valid_from(today, 5)) - timedelta(days=RENEWAL_APPLY_DAYS)  # art. 14
    assert today <= apply_by <= today + timedelta(days=30)


def test_the_load_day_is_the_city_day_not_the_machine_day() -> None:
    assert load_day(datetime(2026, 11, 30, 16, 30, tzinfo=UTC)) == date(2026, 12, 1)


def test_a_negative_age_is_refused() -> None:
    with pytest.raises(ValueError):
        permit_valid_from(date(2026, 12, 1), -1)


@pytest.mark.parametrize(
    ("today", "before"),
    [
        (date(2027, 1, 1), date(2026, 12, 1)),
        (date(2028, 2, 29), date(2028, 1, 29)),
        (date(2027, 3, 31), date(2027, 2, 28)),  # no 31 February: its last day (Civil Code art. 202)
        (date(2028, 3, 30), date(2028, 2, 29)),
        (date(2026, 12, 31), date(2026, 11, 30)),
    ],
    ids=str,
)
def test_a_month_before_keeps_the_day_or_falls_back_to_the_months_last(today: date, before: date) -> None:
    assert month_before(today) == before
    assert last_month(today) == (before + timedelta(days=1), today)
