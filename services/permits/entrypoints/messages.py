"""Permits' one translation module: domain objects as protobuf messages, for gRPC replies and
event payloads alike (the service layer and domain never import generated code)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from google.protobuf.message import Message

from eco.v1 import common_pb2, permits_pb2
from services.permits.domain import eia as eia_domain
from services.permits.domain import events as ev
from services.permits.domain.enterprise import Enterprise, Outlet, OutletKind, PermitClass, RiskFlag
from services.permits.domain.permit import OutletLimits, Permit, PermitStatus
from services.permits.domain.radiation import HoldingRate, RadiationPermit, RadiationPermitStatus
from services.permits.domain.renewal import (
    Renewal,
    RenewalStatus,
    application_deadline,
    keeps_in_force_at_expiry,
)
from services.permits.domain.rights import RESERVE, Entry, EntryKind, Position, to_tonnes
from services.permits.domain.values import Actor, GeoPoint
from shared.proto_values import date_pb, timestamp

RISK_FLAG = {
    RiskFlag.HEAVY_METALS: permits_pb2.RISK_FLAG_HEAVY_METALS,
    RiskFlag.HAZARDOUS_CHEMICALS: permits_pb2.RISK_FLAG_HAZARDOUS_CHEMICALS,
    RiskFlag.HAZARDOUS_WASTE: permits_pb2.RISK_FLAG_HAZARDOUS_WASTE,
    RiskFlag.PERSISTENT_ORGANIC_POLLUTANTS: permits_pb2.RISK_FLAG_PERSISTENT_ORGANIC_POLLUTANTS,
    RiskFlag.RADIATION_SOURCES: permits_pb2.RISK_FLAG_RADIATION_SOURCES,
}
PERMIT_CLASS = {
    PermitClass.KEY: common_pb2.PERMIT_CLASS_KEY,
    PermitClass.SIMPLIFIED: common_pb2.PERMIT_CLASS_SIMPLIFIED,
    PermitClass.REGISTRATION: common_pb2.PERMIT_CLASS_REGISTRATION,
}
OUTLET_KIND = {
    OutletKind.WASTEWATER: permits_pb2.OUTLET_KIND_WASTEWATER,
    OutletKind.WASTE_GAS: permits_pb2.OUTLET_KIND_WASTE_GAS,
}
# Looked up by name, so that adding a state to the domain without the contract fails at import.
PERMIT_STATUS = {s: getattr(permits_pb2, f"PERMIT_STATUS_{s.name}") for s in PermitStatus}
RENEWAL_STATUS = {s: getattr(permits_pb2, f"PERMIT_RENEWAL_STATUS_{s.name}") for s in RenewalStatus}
EIA_TYPE = {t: getattr(permits_pb2, f"EIA_DOCUMENT_TYPE_{t.name}") for t in eia_domain.EiaDocumentType}
EIA_STATUS = {s: getattr(permits_pb2, f"EIA_STATUS_{s.name}") for s in eia_domain.EiaStatus}
RADIATION_STATUS = {
    s: getattr(permits_pb2, f"RADIATION_PERMIT_STATUS_{s.name}") for s in RadiationPermitStatus
}
ENTRY_KIND = {k: getattr(permits_pb2, f"RIGHTS_ENTRY_KIND_{k.name}") for k in EntryKind}


def geo(point: GeoPoint) -> common_pb2.GeoPoint:
    """A protobuf GeoPoint."""
    return common_pb2.GeoPoint(lat=point.lat, lon=point.lon)


def actor(a: Actor) -> common_pb2.Actor:
    """A protobuf Actor."""
    return common_pb2.Actor(department=a.department, user=a.user, reason=a.reason)


def enterprise(e: Enterprise) -> permits_pb2.Enterprise:
    """The full registry entry (with contact: for authorised callers only)."""
    f = e.fields
    fields = permits_pb2.EnterpriseFields(
        name=f.name,
        legal_representative=f.legal_representative,
        contact=permits_pb2.Contact(person=f.contact.person, phone=f.contact.phone, email=f.contact.email),
        industry_code=f.industry_code,
        address=f.address,
        town=f.town,
        grid=f.grid,
        location=geo(f.location),
        risk_flags=[RISK_FLAG[flag] for flag in sorted(f.risk_flags)],
        permit_class=PERMIT_CLASS[f.permit_class],
    )
    return permits_pb2.Enterprise(
        uscc=e.uscc,
        fields=fields,
        registered_at=timestamp(e.registered_at),
        updated_at=timestamp(e.updated_at),
    )


def enterprise_summary(e: Enterprise) -> permits_pb2.EnterpriseSummary:
    """The public part of an enterprise, as events carry it (never the contact)."""
    f = e.fields
    return permits_pb2.EnterpriseSummary(
        uscc=e.uscc,
        name=f.name,
        industry_code=f.industry_code,
        address=f.address,
        town=f.town,
        grid=f.grid,
        location=geo(f.location),
        permit_class=PERMIT_CLASS[f.permit_class],
        risk_flags=[RISK_FLAG[flag] for flag in sorted(f.risk_flags)],
    )


def outlet(o: Outlet) -> permits_pb2.Outlet:
    """One outlet."""
    return permits_pb2.Outlet(
        outlet_id=o.outlet_id,
        uscc=o.uscc,
        kind=OUTLET_KIND[o.kind],
        name=o.name,
        location=geo(o.location),
        receiving_river=o.receiving_river,
        monitored_pollutants=list(o.monitored_pollutants),
        added_at=timestamp(o.added_at),
    )


def outlet_limits(o: OutletLimits) -> permits_pb2.OutletLimits:
    """The limits of one outlet."""
    return permits_pb2.OutletLimits(
        outlet_id=o.outlet_id,
        kind=OUTLET_KIND[o.kind] if o.kind else permits_pb2.OUTLET_KIND_UNSPECIFIED,
        limits=[
            permits_pb2.PollutantLimit(
                parameter=lim.parameter,
                concentration_limit=common_pb2.Quantity(value=lim.concentration, unit=lim.unit),
                annual_tonnes=lim.annual_tonnes,
                concentration_floor=lim.concentration_floor,
            )
            for lim in o.limits
        ],
    )


def permit_renewal(r: Renewal) -> permits_pb2.PermitRenewal:
    """One renewal application and its decision."""
    a = r.application
    return permits_pb2.PermitRenewal(
        status=RENEWAL_STATUS[r.status],
        applied_on=date_pb(a.applied_on),
        expires_after=date_pb(a.expires_after),
        apply_by=date_pb(application_deadline(a.expires_after)),
        days_before_expiry=a.days_before_expiry,
        late=a.late,
        late_by_days=a.late_by_days,
        review_due=date_pb(a.review_due),
        keeps_in_force=keeps_in_force_at_expiry(a),
        decided_on=date_pb(r.decided_on),
        gap_days=r.gap_days,
        last_action=actor(r.last_action),
    )


def permit(p: Permit) -> permits_pb2.Permit:
    """One discharge permit, with its latest renewal application."""
    return permits_pb2.Permit(
        permit_number=p.permit_number,
        uscc=p.uscc,
        status=PERMIT_STATUS[p.status],
        permit_class=PERMIT_CLASS[p.permit_class],
        outlets=[outlet_limits(o) for o in p.outlets],
        applied_on=date_pb(p.applied_on),
        valid_from=date_pb(p.valid_from),
        valid_until=date_pb(p.valid_until),
        renewal_opens_on=date_pb(p.renewal_apply_by),
        renewal_apply_by=date_pb(p.renewal_apply_by),
        latest_renewal=permit_renewal(p.latest_renewal) if p.latest_renewal else None,
        renewals=p.renewals,
        last_action=actor(p.last_action),
        updated_at=timestamp(p.updated_at),
    )


def eia(a: eia_domain.EiaApplication, today: date) -> permits_pb2.EiaApplication:
    """One EIA application with its deadline and days left as of `today`."""
    return permits_pb2.EiaApplication(
        eia_id=a.eia_id,
        uscc=a.uscc,
        project_name=a.project_name,
        document_type=EIA_TYPE[a.document_type],
        status=EIA_STATUS[a.status],
        accepted_on=date_pb(a.accepted_on),
        deadline=date_pb(a.deadline),
        days_left=a.days_left(today),
        overdue=a.overdue(today),
        green_channel=a.green_channel,
        internal_target=date_pb(a.internal_target),
        decided_on=date_pb(a.decided_on),
        decision_note=a.decision_note,
        last_action=actor(a.last_action),
    )


def radiation_permit(p: RadiationPermit) -> permits_pb2.RadiationPermit:
    """One radiation-safety permit."""
    return permits_pb2.RadiationPermit(
        permit_number=p.permit_number,
        uscc=p.uscc,
        status=RADIATION_STATUS[p.status],
        scope=p.scope,
        valid_from=date_pb(p.valid_from),
        valid_until=date_pb(p.valid_until),
        renewal_opens_on=date_pb(p.renewal_opens_on),
        renewals=p.renewals,
        last_action=actor(p.last_action),
    )


def holding_rate(h: HoldingRate, target: float) -> permits_pb2.RadiationHoldingRate:
    """The holding-rate KPI."""
    return permits_pb2.RadiationHoldingRate(
        at=date_pb(h.at),
        holding=h.holding,
        flagged=h.flagged,
        rate=h.rate,
        target=target,
        missing_uscc=list(h.missing),
    )


def rights_entry(e: Entry) -> permits_pb2.RightsEntry:
    """One ledger entry."""
    return permits_pb2.RightsEntry(
        entry_id=e.entry_id,
        kind=ENTRY_KIND[e.kind],
        pollutant=e.pollutant,
        from_holder=e.from_holder,
        to_holder=e.to_holder,
        tonnes=to_tonnes(e.grams),
        actor=actor(e.actor),
        at=timestamp(e.at),
    )


def rights_position(p: Position) -> permits_pb2.RightsPosition:
    """Cap, reserve and holdings of one pollutant."""
    return permits_pb2.RightsPosition(
        pollutant=p.pollutant,
        cap_tonnes=to_tonnes(p.cap),
        reserve_tonnes=to_tonnes(p.reserve),
        holdings=[
            permits_pb2.RightsHolding(uscc=h, pollutant=p.pollutant, tonnes=to_tonnes(g))
            for h, g in p.holdings.items()
            if h != RESERVE
        ],
    )


# --- events: domain event -> contract payload (wired as Deps.translate by bootstrap) ---


def _permit_event_fields(p: Permit) -> dict[str, Any]:
    """Fields 1-7 shared by PermitIssued, PermitRenewed and PermitReinstated."""
    return dict(
        uscc=p.uscc,
        permit_number=p.permit_number,
        valid_from=date_pb(p.valid_from),
        valid_until=date_pb(p.valid_until),
        outlets=[outlet_limits(o) for o in p.outlets],
    )


_EVENTS: dict[type, Callable[[Any], Message]] = {
    ev.EnterpriseRegistered: lambda e: permits_pb2.EnterpriseRegistered(
        enterprise=enterprise_summary(e.enterprise)
    ),
    ev.EnterpriseUpdated: lambda e: permits_pb2.EnterpriseUpdated(
        enterprise=enterprise_summary(e.enterprise), changed_fields=list(e.changed_fields)
    ),
    ev.OutletAdded: lambda e: permits_pb2.OutletAdded(outlet=outlet(e.outlet)),
    ev.PermitIssued: lambda e: permits_pb2.PermitIssued(
        **_permit_event_fields(e.permit),
        permit_class=PERMIT_CLASS[e.permit.permit_class],
        actor=actor(e.actor),
    ),
    ev.PermitRenewalApplied: lambda e: permits_pb2.PermitRenewalApplied(
        uscc=e.permit.uscc,
        permit_number=e.permit.permit_number,
        valid_until=date_pb(e.permit.valid_until),
        renewal=permit_renewal(e.renewal),
        actor=actor(e.actor),
    ),
    ev.PermitRenewalRefused: lambda e: permits_pb2.PermitRenewalRefused(
        uscc=e.permit.uscc,
        permit_number=e.permit.permit_number,
        renewal=permit_renewal(e.renewal),
        actor=actor(e.actor),
    ),
    ev.PermitRenewed: lambda e: permits_pb2.PermitRenewed(
        **_permit_event_fields(e.permit),
        actor=actor(e.actor),
        renewal=permit_renewal(e.renewal),
        previous_status=PERMIT_STATUS[e.previous_status],
    ),
    ev.PermitReinstated: lambda e: permits_pb2.PermitReinstated(
        **_permit_event_fields(e.permit),
        permit_class=PERMIT_CLASS[e.permit.permit_class],
        actor=actor(e.actor),
        status=PERMIT_STATUS[e.permit.status],
    ),
    ev.PermitSuspended: lambda e: permits_pb2.PermitSuspended(
        uscc=e.permit.uscc, permit_number=e.permit.permit_number, actor=actor(e.actor), case_id=e.case_id
    ),
    ev.PermitRejected: lambda e: permits_pb2.PermitRejected(
        uscc=e.permit.uscc, permit_number=e.permit.permit_number, actor=actor(e.actor)
    ),
    ev.PermitWithdrawn: lambda e: permits_pb2.PermitWithdrawn(
        uscc=e.permit.uscc, permit_number=e.permit.permit_number, actor=actor(e.actor)
    ),
    ev.PermitRevoked: lambda e: permits_pb2.PermitRevoked(
        uscc=e.permit.uscc, permit_number=e.permit.permit_number, actor=actor(e.actor)
    ),
    ev.PermitExpired: lambda e: permits_pb2.PermitExpired(
        uscc=e.permit.uscc, permit_number=e.permit.permit_number, valid_until=date_pb(e.permit.valid_until)
    ),
    ev.RadiationPermitIssued: lambda e: permits_pb2.RadiationPermitIssued(permit=radiation_permit(e.permit)),
    ev.RadiationPermitRenewed: lambda e: permits_pb2.RadiationPermitRenewed(
        permit=radiation_permit(e.permit)
    ),
    ev.RadiationPermitExpired: lambda e: permits_pb2.RadiationPermitExpired(
        permit=radiation_permit(e.permit)
    ),
    ev.EiaAccepted: lambda e: permits_pb2.EiaAccepted(application=eia(e.application, e.today)),
    ev.EiaDecided: lambda e: permits_pb2.EiaDecided(application=eia(e.application, e.today)),
    ev.RightsCapSet: lambda e: permits_pb2.RightsCapSet(
        pollutant=e.position.pollutant,
        cap_tonnes=to_tonnes(e.position.cap),
        reserve_tonnes=to_tonnes(e.position.reserve),
        actor=actor(e.actor),
    ),
    ev.RightsAllocated: lambda e: permits_pb2.RightsAllocated(
        entry=rights_entry(e.entry),
        reserve_after_tonnes=to_tonnes(e.reserve_after_g),
        holding_after_tonnes=to_tonnes(e.holding_after_g),
    ),
    ev.RightsTransferred: lambda e: permits_pb2.RightsTransferred(
        entry=rights_entry(e.entry),
        from_holding_after_tonnes=to_tonnes(e.from_holding_after_g),
        to_holding_after_tonnes=to_tonnes(e.to_holding_after_g),
    ),
    ev.RightsReturned: lambda e: permits_pb2.RightsReturned(
        entry=rights_entry(e.entry),
        reserve_after_tonnes=to_tonnes(e.reserve_after_g),
        holding_after_tonnes=to_tonnes(e.holding_after_g),
    ),
}


def event_message(event: object) -> Message:
    """The contract payload of a permits domain event (TypeError for anything else)."""
    try:
        build = _EVENTS[type(event)]
    except KeyError:
        raise TypeError(f"not a permits event: {type(event).__name__}") from None
    return build(event)


def suspend_order(order: permits_pb2.SuspendPermitOrder) -> ev.SuspendOrder:
    """Enforcement's order as the domain value the use case takes."""
    return ev.SuspendOrder(
        permit_number=order.permit_number, uscc=order.uscc, case_id=order.case_id, reason=order.reason
    )
