"""Renewal of a discharge permit as 排污许可管理条例 (2021) art. 14 has it, as pure rules.

- The enterprise applies no later than 60 days before the permit expires (art. 14 para 2). An
  application made later is still handled, but flagged late with the days it is short by
  (REFERENCE.md, Time limits).
- The authority reviews it like an application. Art. 14 para 2 gives the renewal review its own
  limit, 20 days from acceptance; art. 12 gives first applications 20 days (simplified management)
  or 30 (key management; 45 with an on-site check). Both are data below, named by article.
- A granted renewal runs 5 years from the day after the old term's last day, also when it is
  granted after that day; the days between without a permit in force are the gap, reported.
- At expiry with a renewal still under review: an application made in time keeps the permit in
  force until the decision (行政许可法 art. 50 para 2: the authority decides before expiry, and a
  timely renewal left undecided counts as granted), so the scheduler does not expire it; a late
  application does not, and the permit expires as any other.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from services.permits.domain import values
from services.permits.domain.enterprise import PermitClass
from services.permits.domain.values import Actor
from shared.errors import FailedPrecondition

# 排污许可管理条例 art. 14 para 2: apply no later than 60 days before expiry.
APPLY_DAYS_BEFORE_EXPIRY = 60
# 排污许可管理条例 art. 14 para 2: the renewal is reviewed within 20 days of acceptance.
RENEWAL_REVIEW_DAYS = 20
# 排污许可管理条例 art. 12: a first application is decided within these days of acceptance.
APPLICATION_REVIEW_DAYS = {PermitClass.SIMPLIFIED: 20, PermitClass.KEY: 30}
# 排污许可管理条例 art. 12 para 2: key management with an on-site check: 45 days.
KEY_ON_SITE_REVIEW_DAYS = 45
VALIDITY_YEARS = 5


@dataclass(frozen=True)
class RenewalApplication:
    """A renewal application as received: when, how far ahead of expiry, and when review is due."""

    applied_on: date
    expires_after: date  # the old term's last valid day
    review_due: date

    @property
    def days_before_expiry(self) -> int:
        """Days from the application to the old term's end (the last valid day counts as expiry)."""
        return (self.expires_after - self.applied_on).days

    @property
    def late_by_days(self) -> int:
        """Days the application came after the art. 14 deadline; 0 when in time."""
        return max(0, APPLY_DAYS_BEFORE_EXPIRY - self.days_before_expiry)

    @property
    def late(self) -> bool:
        """Whether the application came later than 60 days before expiry (art. 14)."""
        return self.late_by_days > 0


class RenewalStatus(enum.StrEnum):
    """Where a renewal application stands: under review, or decided one way or the other."""

    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"


@dataclass(frozen=True)
class Renewal:
    """One renewal application of a permit and its decision (gap_days: see gap_days())."""

    permit_number: str
    application: RenewalApplication
    status: RenewalStatus
    decided_on: date | None
    gap_days: int
    last_action: Actor


def application_deadline(valid_until: date) -> date:
    """The last day a renewal may be applied for in time: 60 days before the last valid day."""
    return valid_until - timedelta(days=APPLY_DAYS_BEFORE_EXPIRY)


def review_days(permit_class: PermitClass, *, renewal: bool, on_site_check: bool = False) -> int:
    """Days the authority has to decide from acceptance (art. 14 for renewals, art. 12 otherwise)."""
    if renewal:
        return RENEWAL_REVIEW_DAYS
    if permit_class is PermitClass.KEY and on_site_check:
        return KEY_ON_SITE_REVIEW_DAYS
    return APPLICATION_REVIEW_DAYS[permit_class]


def apply_for_renewal(number: str, valid_until: date, today: date) -> RenewalApplication:
    """A renewal application received today; FAILED_PRECONDITION once the term has ended.

    Any day up to the last valid day is accepted: the regulation sets a latest day, not an earliest,
    and a late application is handled and flagged rather than refused.
    """
    if today > valid_until:
        raise FailedPrecondition(f"permit {number}: validity ended on {valid_until}; apply for a new permit")
    return RenewalApplication(today, valid_until, today + timedelta(days=RENEWAL_REVIEW_DAYS))


def renewed_term(old_valid_until: date) -> tuple[date, date]:
    """The renewed term: 5 years from the day after the old term's last day (art. 14)."""
    start = old_valid_until + timedelta(days=1)
    return start, values.term_end(start, VALIDITY_YEARS)


def gap_days(old_valid_until: date, granted_on: date) -> int:
    """Days without a permit in force between the old term and a renewal granted after it ended."""
    return max(0, (granted_on - old_valid_until).days - 1)


def granted_term(application: RenewalApplication, today: date, *, lapsed: bool) -> tuple[date, date, int]:
    """(first day, last day, gap) of a renewal granted today; FAILED_PRECONDITION if that term is over.

    The gap counts only when the permit lapsed (a late application, expired at its term's end); an
    application made in time kept the permit in force until today (行政许可法 art. 50), so no gap.
    """
    start, until = renewed_term(application.expires_after)
    if today > until:
        raise FailedPrecondition(f"a renewed term from {start} would have ended on {until}, before today")
    return start, until, gap_days(application.expires_after, today) if lapsed else 0


def keeps_in_force_at_expiry(application: RenewalApplication | None) -> bool:
    """Whether a permit whose term has ended stays in force for its pending renewal: only for an
    application made in time (行政许可法 art. 50 para 2); a late one lets the permit expire."""
    return application is not None and not application.late
