"""The public read model of an enterprise: public profile plus live credit and permit status.

Events come from two topics (permits, evaluation) and may arrive out of order or be replayed, so
each part keeps the time of the fact it shows and ignores older facts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum


class CreditLevel(StrEnum):
    # 企业环境信用评价办法（试行）(2013) four levels, plus black used by several provinces.
    UNRATED = "unrated"
    GREEN = "green"
    BLUE = "blue"
    YELLOW = "yellow"
    RED = "red"
    BLACK = "black"


class PermitState(StrEnum):
    NONE = "none"  # no permit event seen yet
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUSPENDED = "suspended"


@dataclass(frozen=True)
class ProfileFact:
    """EnterpriseRegistered / EnterpriseUpdated, reduced to its public fields."""

    uscc: str
    name: str
    town: str
    industry: str
    occurred_at: datetime


@dataclass(frozen=True)
class PermitFact:
    """A permit event (issued, renewed, expired, revoked), reduced to its public fields."""

    uscc: str
    permit_number: str
    state: PermitState
    permit_class: str
    valid_from: date | None
    valid_to: date | None
    occurred_at: datetime


@dataclass(frozen=True)
class CreditFact:
    """CreditChanged, reduced to the level."""

    uscc: str
    level: CreditLevel
    occurred_at: datetime


@dataclass(frozen=True)
class EnterpriseStatus:
    """What the public page shows of one enterprise, with the time of each part."""

    uscc: str
    name: str = ""
    town: str = ""
    industry: str = ""
    profile_as_of: datetime | None = None
    credit_level: CreditLevel = CreditLevel.UNRATED
    credit_as_of: datetime | None = None
    permit_number: str = ""
    permit_state: PermitState = PermitState.NONE
    permit_class: str = ""
    permit_valid_from: date | None = None
    permit_valid_to: date | None = None
    permit_as_of: datetime | None = None

    @property
    def registered(self) -> bool:
        """Whether the registry has told us who this is (a credit or permit event may come first)."""
        return self.profile_as_of is not None

    def permit_state_on(self, today: date) -> PermitState:
        """The permit's state today: a valid permit past its end date shows as expired before the event."""
        if self.permit_state is PermitState.VALID and self.permit_valid_to and self.permit_valid_to < today:
            return PermitState.EXPIRED
        return self.permit_state


def _newer(fact_at: datetime, shown_at: datetime | None) -> bool:
    return shown_at is None or fact_at >= shown_at


def apply_profile(status: EnterpriseStatus, fact: ProfileFact) -> EnterpriseStatus:
    """The status with a newer profile applied (an older one changes nothing)."""
    if not _newer(fact.occurred_at, status.profile_as_of):
        return status
    return replace(
        status, name=fact.name, town=fact.town, industry=fact.industry, profile_as_of=fact.occurred_at
    )


def apply_permit(status: EnterpriseStatus, fact: PermitFact) -> EnterpriseStatus:
    """The status with a newer permit fact applied; an expiry or revocation keeps the known dates."""
    if not _newer(fact.occurred_at, status.permit_as_of):
        return status
    return replace(
        status,
        permit_number=fact.permit_number or status.permit_number,
        permit_state=fact.state,
        permit_class=fact.permit_class or status.permit_class,
        permit_valid_from=fact.valid_from or status.permit_valid_from,
        permit_valid_to=fact.valid_to or status.permit_valid_to,
        permit_as_of=fact.occurred_at,
    )


def apply_credit(status: EnterpriseStatus, fact: CreditFact) -> EnterpriseStatus:
    """The status with a newer credit level applied."""
    if not _newer(fact.occurred_at, status.credit_as_of):
        return status
    return replace(status, credit_level=fact.level, credit_as_of=fact.occurred_at)
