"""Radiation-safety permits (辐射安全许可证) and the holding-rate KPI.

放射性同位素与射线装置安全和防护条例 (2005, amended 2019) art. 14, repeated in
放射性同位素与射线装置安全许可管理办法 (2006, amended 2021): a permit is valid for 5 years; a
holder that needs it extended applies to the issuing authority 30 days before it expires, and the
authority decides before the expiry date.

Why the renewal window is 30 days (not 60 as for discharge permits): the window bounds when this
service records a renewal, and the regulation's one date for radiation permits is "30 days before
expiry"; a discharge permit's renewal is applied for 60 days before (排污许可管理条例 2021,
art. 14), and its window is 60 days for the same reason. A renewal decided earlier than 30 days
before expiry (an early application decided quickly) is refused here; it is entered once the
window opens. The plan's target for the holding rate is 100% (REFERENCE.md, Targets).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from services.permits.domain import values
from services.permits.domain.values import Actor
from shared.errors import FailedPrecondition

VALIDITY_YEARS = 5
RENEWAL_WINDOW_DAYS = 30
HOLDING_RATE_TARGET = 1.0


class RadiationPermitStatus(enum.StrEnum):
    """States of a radiation-safety permit."""

    ISSUED = "issued"
    RENEWED = "renewed"
    EXPIRED = "expired"


VALID = frozenset({RadiationPermitStatus.ISSUED, RadiationPermitStatus.RENEWED})


@dataclass(frozen=True)
class RadiationPermit:
    """One radiation-safety permit."""

    permit_number: str
    uscc: str
    status: RadiationPermitStatus
    scope: str
    valid_from: date
    valid_until: date
    renewals: int
    last_action: Actor

    @property
    def renewal_opens_on(self) -> date:
        """First day a renewal may be asked for."""
        return self.valid_until - timedelta(days=RENEWAL_WINDOW_DAYS)


@dataclass(frozen=True)
class HoldingRate:
    """Flagged enterprises holding a valid permit / all flagged enterprises, at a date."""

    at: date
    holding: int
    flagged: int
    missing: tuple[str, ...]

    @property
    def rate(self) -> float:
        """1.0 when nobody is flagged: nothing is missing."""
        return self.holding / self.flagged if self.flagged else 1.0


def term(valid_from: date) -> tuple[date, date]:
    """The first and last valid day of a 5-year term."""
    return valid_from, values.term_end(valid_from, VALIDITY_YEARS)


def check_renewable(permit: RadiationPermit, today: date) -> None:
    """FAILED_PRECONDITION unless the permit is valid and inside its renewal window."""
    if permit.status not in VALID:
        raise FailedPrecondition(
            f"radiation permit {permit.permit_number}: cannot renew a permit that is {permit.status}"
        )
    if today < permit.renewal_opens_on:
        raise FailedPrecondition(
            f"radiation permit {permit.permit_number}: renewal window opens on {permit.renewal_opens_on} "
            f"({RENEWAL_WINDOW_DAYS} days before expiry)"
        )
    if today > permit.valid_until:
        raise FailedPrecondition(
            f"radiation permit {permit.permit_number}: validity ended on {permit.valid_until}"
        )


def holding_rate(at: date, flagged: set[str], holders: set[str]) -> HoldingRate:
    """The KPI from who was flagged at `at` and who held a valid permit at `at`."""
    holding = flagged & holders
    return HoldingRate(
        at=at, holding=len(holding), flagged=len(flagged), missing=tuple(sorted(flagged - holders))
    )
