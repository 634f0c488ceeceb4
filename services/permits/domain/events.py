"""What permits announces, as plain domain values; entrypoints/messages.py turns each into its
contract message (permits.proto) when the unit of work writes it to the outbox.

Past tense, one class per event type; the contract's name of each is the class name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.permits.domain.eia import EiaApplication
from services.permits.domain.enterprise import Enterprise, Outlet
from services.permits.domain.permit import Permit, PermitStatus
from services.permits.domain.radiation import RadiationPermit
from services.permits.domain.renewal import Renewal
from services.permits.domain.rights import Entry, Position
from services.permits.domain.values import Actor


@dataclass(frozen=True)
class EnterpriseRegistered:
    enterprise: Enterprise


@dataclass(frozen=True)
class EnterpriseUpdated:
    enterprise: Enterprise
    changed_fields: tuple[str, ...]


@dataclass(frozen=True)
class OutletAdded:
    outlet: Outlet


@dataclass(frozen=True)
class PermitIssued:
    permit: Permit
    actor: Actor


@dataclass(frozen=True)
class PermitRenewalApplied:
    """`renewal` is the application under review (late or in time)."""

    permit: Permit
    renewal: Renewal
    actor: Actor


@dataclass(frozen=True)
class PermitRenewalRefused:
    permit: Permit
    renewal: Renewal
    actor: Actor


@dataclass(frozen=True)
class PermitRenewed:
    """`renewal` is the granted application, with its lateness and the gap; `previous_status` the
    permit's state before (expired for a late application granted after the permit lapsed)."""

    permit: Permit
    renewal: Renewal
    actor: Actor
    previous_status: PermitStatus


@dataclass(frozen=True)
class PermitReinstated:
    permit: Permit
    actor: Actor


@dataclass(frozen=True)
class PermitSuspended:
    permit: Permit
    actor: Actor
    case_id: str = ""


@dataclass(frozen=True)
class PermitRejected:
    permit: Permit
    actor: Actor


@dataclass(frozen=True)
class PermitWithdrawn:
    permit: Permit
    actor: Actor


@dataclass(frozen=True)
class PermitRevoked:
    permit: Permit
    actor: Actor


@dataclass(frozen=True)
class PermitExpired:
    """`permit` as it was before it expired (its valid_until is the day it ran out)."""

    permit: Permit


@dataclass(frozen=True)
class RadiationPermitIssued:
    permit: RadiationPermit


@dataclass(frozen=True)
class RadiationPermitRenewed:
    permit: RadiationPermit


@dataclass(frozen=True)
class RadiationPermitExpired:
    permit: RadiationPermit


@dataclass(frozen=True)
class EiaAccepted:
    application: EiaApplication
    today: date


@dataclass(frozen=True)
class EiaDecided:
    application: EiaApplication
    today: date


@dataclass(frozen=True)
class RightsCapSet:
    position: Position
    actor: Actor


@dataclass(frozen=True)
class RightsAllocated:
    entry: Entry
    reserve_after_g: int
    holding_after_g: int


@dataclass(frozen=True)
class RightsTransferred:
    entry: Entry
    from_holding_after_g: int
    to_holding_after_g: int


@dataclass(frozen=True)
class RightsReturned:
    entry: Entry
    reserve_after_g: int
    holding_after_g: int


# A permit step announced by an event that carries only the permit, who and why.
PermitStepEvent = type[PermitRejected] | type[PermitWithdrawn] | type[PermitRevoked]


@dataclass(frozen=True)
class SuspendOrder:
    """Enforcement's order to suspend a permit (consumed from eco.enforcement.events)."""

    permit_number: str
    uscc: str
    case_id: str
    reason: str
