"""Pollutant-discharge permits (排污许可证): lifecycle, validity and per-outlet limits.

排污许可管理条例 (2021) art. 13: a permit is valid for 5 years. Renewal (art. 14) is applied for no
later than 60 days before expiry and reviewed before it is granted: the rules are in renewal.py.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from services.permits.domain import outlet_parameters, renewal, values
from services.permits.domain.enterprise import OutletKind, PermitClass
from services.permits.domain.values import Actor
from shared.errors import FailedPrecondition, InvalidArgument

VALIDITY_YEARS = 5


class PermitStatus(enum.StrEnum):
    """States of a discharge permit."""

    APPLIED = "applied"
    UNDER_REVIEW = "under_review"
    ISSUED = "issued"
    RENEWED = "renewed"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


S = PermitStatus
# The permit authorises discharge in these states.
VALID = frozenset({S.ISSUED, S.RENEWED})
# Open applications and permits in force: an enterprise has at most one of these. Rejected and
# withdrawn applications are closed, so the enterprise may apply again.
LIVE = frozenset({S.APPLIED, S.UNDER_REVIEW, S.ISSUED, S.RENEWED, S.SUSPENDED})
# action -> (states it may start from, state it leads to). Anything else is FAILED_PRECONDITION.
TRANSITIONS: dict[str, tuple[frozenset[PermitStatus], PermitStatus]] = {
    "start_review": (frozenset({S.APPLIED}), S.UNDER_REVIEW),
    "issue": (frozenset({S.UNDER_REVIEW}), S.ISSUED),
    "reject": (frozenset({S.UNDER_REVIEW}), S.REJECTED),
    "withdraw": (frozenset({S.APPLIED, S.UNDER_REVIEW}), S.WITHDRAWN),
    # The grant of a pending renewal. From expired only for a late application, whose permit lapsed
    # at its term's end (an application made in time keeps it in force: renewal.py).
    "renew": (VALID | {S.EXPIRED}, S.RENEWED),
    "suspend": (VALID, S.SUSPENDED),
    # Back to issued; reinstated_status() makes it renewed for a permit renewed before suspension.
    "reinstate": (frozenset({S.SUSPENDED}), S.ISSUED),
    "revoke": (frozenset({S.ISSUED, S.RENEWED, S.SUSPENDED}), S.REVOKED),
    "expire": (frozenset({S.ISSUED, S.RENEWED, S.SUSPENDED}), S.EXPIRED),
}
# Actions that need a stated reason (actor.reason): each ends or interrupts a permit or application.
REASON_REQUIRED = frozenset({"reject", "withdraw", "suspend", "reinstate", "revoke"})


@dataclass(frozen=True)
class PollutantLimit:
    """The limit of one pollutant at one outlet."""

    parameter: str
    concentration: float
    unit: str
    annual_tonnes: float = 0.0
    concentration_floor: float = 0.0


@dataclass(frozen=True)
class OutletLimits:
    """The limits of one outlet under a permit."""

    outlet_id: str
    kind: OutletKind | None
    limits: tuple[PollutantLimit, ...]


@dataclass(frozen=True)
class Permit:
    """One discharge permit."""

    permit_number: str
    uscc: str
    status: PermitStatus
    permit_class: PermitClass
    outlets: tuple[OutletLimits, ...]
    applied_on: date
    valid_from: date | None
    valid_until: date | None
    renewals: int
    last_action: Actor
    updated_at: datetime
    # The latest renewal application of this permit, under review or decided.
    latest_renewal: renewal.Renewal | None = None

    @property
    def renewal_apply_by(self) -> date | None:
        """The last day to apply for renewal in time (art. 14: 60 days before expiry)."""
        return renewal.application_deadline(self.valid_until) if self.valid_until else None

    @property
    def pending_renewal(self) -> renewal.Renewal | None:
        """The renewal application under review, if any."""
        latest = self.latest_renewal
        return latest if latest and latest.status is renewal.RenewalStatus.PENDING else None


def next_status(current: PermitStatus, action: str, permit_number: str) -> PermitStatus:
    """The state an action leads to, or FAILED_PRECONDITION when it is not legal from `current`."""
    allowed_from, target = TRANSITIONS[action]
    if current not in allowed_from:
        legal = ", ".join(sorted(allowed_from))
        verb = action.replace("_", " ")
        raise FailedPrecondition(
            f"permit {permit_number}: cannot {verb} a permit that is {current} (only from {legal})"
        )
    return target


def reinstated_status(permit: Permit, today: date) -> PermitStatus:
    """The state a suspended permit returns to: renewed if it had been renewed, else issued.

    Only while its validity lasts: a suspension that outlived the term leaves nothing to reinstate.
    """
    target = next_status(permit.status, "reinstate", permit.permit_number)
    if permit.valid_until is None or today > permit.valid_until:
        raise FailedPrecondition(
            f"permit {permit.permit_number}: validity ended on {permit.valid_until}; apply for a new permit"
        )
    # A renewal sets renewals > 0 and the state renewed; suspension keeps the count.
    return S.RENEWED if permit.renewals > 0 else target


def permit_number(uscc: str, sequence: int) -> str:
    """The national style: the holder's USCC, a 3-digit sequence and "P"."""
    return f"{uscc}{sequence:03d}P"


def validity(valid_from: date) -> tuple[date, date]:
    """The first and last valid day of a term starting on valid_from."""
    return valid_from, values.term_end(valid_from, VALIDITY_YEARS)


def is_due_to_expire(valid_until: date, today: date) -> bool:
    """Whether a validity ending valid_until has ended by `today`."""
    return today > valid_until


def validate_limit(field: str, limit: PollutantLimit, kind: OutletKind) -> PollutantLimit:
    """One limit: a parameter of the outlet's kind in its unit, finite positive concentration,
    non-negative tonnes."""
    code = outlet_parameters.parameter(f"{field}.parameter", kind, limit.parameter)
    unit = outlet_parameters.unit(f"{field}.concentration_limit.unit", kind, code, limit.unit)
    concentration = values.positive(f"{field}.concentration_limit.value", limit.concentration)
    floor = values.non_negative(f"{field}.concentration_floor", limit.concentration_floor)
    if floor >= concentration:
        raise InvalidArgument(
            f"{field}.concentration_floor", f"must be below the limit {concentration}, got {floor}"
        )
    tonnes = values.non_negative(f"{field}.annual_tonnes", limit.annual_tonnes)
    return PollutantLimit(code, concentration, unit, tonnes, floor)


def validate_outlet_limits(
    outlets: list[OutletLimits], known: dict[str, OutletKind], *, required: bool
) -> tuple[OutletLimits, ...]:
    """Per-outlet limits checked against the enterprise's outlets; kinds filled from the outlets."""
    if required and not outlets:
        raise InvalidArgument("outlets", "a permit needs limits for at least one outlet")
    seen: set[str] = set()
    checked = []
    for i, outlet in enumerate(outlets):
        field = f"outlets[{i}]"
        if outlet.outlet_id not in known:
            raise InvalidArgument(
                f"{field}.outlet_id", f"{outlet.outlet_id!r} is not an outlet of this enterprise"
            )
        if outlet.outlet_id in seen:
            raise InvalidArgument(f"{field}.outlet_id", f"{outlet.outlet_id!r} is listed twice")
        seen.add(outlet.outlet_id)
        if not outlet.limits:
            raise InvalidArgument(f"{field}.limits", "at least one pollutant limit")
        kind = known[outlet.outlet_id]
        limits = tuple(
            validate_limit(f"{field}.limits[{j}]", lim, kind) for j, lim in enumerate(outlet.limits)
        )
        codes = [lim.parameter for lim in limits]
        if len(set(codes)) != len(codes):
            raise InvalidArgument(f"{field}.limits", f"a parameter is listed twice in {codes}")
        checked.append(OutletLimits(outlet.outlet_id, kind, limits))
    return tuple(checked)


def check_may_apply(permit_class: PermitClass) -> None:
    """Registration-class units file a registration form instead of holding a permit
    (固定污染源排污许可分类管理名录, 2019: 登记管理 units need no permit)."""
    if permit_class is PermitClass.REGISTRATION:
        raise FailedPrecondition(
            "enterprises under registration management file a registration, not a permit"
        )
