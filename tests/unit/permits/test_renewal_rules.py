"""Renewal rules (排污许可管理条例 art. 12 and 14): deadline, lateness, review limits, the renewed
term, the gap, and what the expiry scheduler does with a renewal under review."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.permits.domain import renewal
from services.permits.domain.enterprise import PermitClass
from shared.errors import FailedPrecondition

UNTIL = date(2028, 12, 31)


@pytest.mark.parametrize(("days_before", "late", "late_by"), [(61, False, 0), (60, False, 0), (59, True, 1)])
def test_applied_61_60_and_59_days_before_expiry(days_before: int, late: bool, late_by: int) -> None:
    application = renewal.apply_for_renewal("P1", UNTIL, UNTIL - timedelta(days=days_before))
    assert application.days_before_expiry == days_before
    assert (application.late, application.late_by_days) == (late, late_by)
    assert renewal.keeps_in_force_at_expiry(application) is not late


def test_deadline_and_review_limits() -> None:
    assert renewal.application_deadline(UNTIL) == date(2028, 11, 1)
    application = renewal.apply_for_renewal("P1", UNTIL, date(2028, 9, 1))  # long before: allowed
    assert application.review_due == date(2028, 9, 21) and not application.late
    assert renewal.review_days(PermitClass.KEY, renewal=True) == 20  # art. 14
    assert renewal.review_days(PermitClass.SIMPLIFIED, renewal=False) == 20  # art. 12
    assert renewal.review_days(PermitClass.KEY, renewal=False) == 30
    assert renewal.review_days(PermitClass.KEY, renewal=False, on_site_check=True) == 45


def test_on_the_last_valid_day_late_after_it_refused() -> None:
    last = renewal.apply_for_renewal("P1", UNTIL, UNTIL)
    assert last.late and last.late_by_days == 60
    with pytest.raises(FailedPrecondition, match="validity ended on 2028-12-31"):
        renewal.apply_for_renewal("P1", UNTIL, UNTIL + timedelta(days=1))


@pytest.mark.parametrize(
    ("old_until", "start", "end"),
    [
        (date(2028, 12, 31), date(2029, 1, 1), date(2033, 12, 31)),
        # A term ending 28 February 2029 renews from 1 March; one ending 28 February 2028 (a leap
        # year) renews from the 29th, whose term ends on 28 February 2033 (Civil Code art. 202).
        (date(2029, 2, 28), date(2029, 3, 1), date(2034, 2, 28)),
        (date(2028, 2, 28), date(2028, 2, 29), date(2033, 2, 28)),
    ],
)
def test_the_renewed_term_starts_the_day_after_the_old_one(old_until: date, start: date, end: date) -> None:
    assert renewal.renewed_term(old_until) == (start, end)


def test_gap_of_a_renewal_granted_after_expiry() -> None:
    assert renewal.gap_days(UNTIL, UNTIL) == 0
    assert renewal.gap_days(UNTIL, UNTIL + timedelta(days=1)) == 0  # granted on the new term's first day
    assert renewal.gap_days(UNTIL, UNTIL + timedelta(days=11)) == 10


def test_no_pending_renewal_lets_the_permit_expire() -> None:
    assert renewal.keeps_in_force_at_expiry(None) is False


def test_granted_term_counts_the_gap_only_for_a_lapsed_permit() -> None:
    in_time = renewal.apply_for_renewal("P1", UNTIL, UNTIL - timedelta(days=60))
    late = renewal.apply_for_renewal("P1", UNTIL, UNTIL - timedelta(days=10))
    renewed = (date(2029, 1, 1), date(2033, 12, 31))
    assert renewal.granted_term(in_time, UNTIL - timedelta(days=50), lapsed=False) == (*renewed, 0)
    # Kept in force past the term by an in-time application (行政许可法 art. 50): no gap.
    assert renewal.granted_term(in_time, UNTIL + timedelta(days=30), lapsed=False) == (*renewed, 0)
    assert renewal.granted_term(late, UNTIL + timedelta(days=1), lapsed=True) == (*renewed, 0)
    assert renewal.granted_term(late, UNTIL + timedelta(days=11), lapsed=True) == (*renewed, 10)
    with pytest.raises(FailedPrecondition, match="would have ended on 2033-12-31"):
        renewal.granted_term(late, date(2034, 1, 1), lapsed=True)
