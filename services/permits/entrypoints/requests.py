"""Protobuf requests as domain inputs. Enum values and dates are checked here, since only the wire
can carry an UNSPECIFIED enum or a 30 February."""

from __future__ import annotations

from eco.v1 import common_pb2, permits_pb2
from services.permits.domain.eia import EiaDocumentType, EiaStatus
from services.permits.domain.enterprise import Contact, EnterpriseFields, OutletKind, PermitClass, RiskFlag
from services.permits.domain.permit import OutletLimits, PermitStatus, PollutantLimit
from services.permits.domain.radiation import RadiationPermitStatus
from services.permits.domain.values import Actor, GeoPoint, actor
from services.permits.entrypoints import messages
from shared.errors import InvalidArgument
from shared.grpc.auth import current_department
from shared.proto_values import day_in, enum_in

RISK_FLAG = {v: k for k, v in messages.RISK_FLAG.items()}
PERMIT_CLASS = {v: k for k, v in messages.PERMIT_CLASS.items()}
OUTLET_KIND = {v: k for k, v in messages.OUTLET_KIND.items()}
PERMIT_STATUS = {v: k for k, v in messages.PERMIT_STATUS.items()}
EIA_TYPE = {v: k for k, v in messages.EIA_TYPE.items()}
EIA_STATUS = {v: k for k, v in messages.EIA_STATUS.items()}
RADIATION_STATUS = {v: k for k, v in messages.RADIATION_STATUS.items()}
# Placeholder for fields an update does not touch (merge() only reads the masked ones).
_UNUSED_POINT = GeoPoint(0.0, 0.0)


# The request checks every service applies alike (shared.proto_values), by the names used here.
day = day_in
enum_value = enum_in


def caller(pb: common_pb2.Actor) -> Actor:
    """The actor of a call: the authenticated department, and the user and reason the caller gives."""
    return actor(current_department(), pb.user, pb.reason)


def enterprise_fields(pb: permits_pb2.EnterpriseFields, required: set[str] | None = None) -> EnterpriseFields:
    """The fields of a registration (all required) or an update (required: the masked paths)."""
    check_all = required is None
    need = required or set()
    permit_class = enum_value(
        "fields.permit_class", pb.permit_class, PERMIT_CLASS, required=check_all or "permit_class" in need
    )
    location = pb.location if pb.HasField("location") else None
    if location is None and (check_all or "location" in need):
        raise InvalidArgument("fields.location", "required (WGS84 latitude and longitude)")
    flags = frozenset(
        enum_value(f"fields.risk_flags[{i}]", flag, RISK_FLAG) for i, flag in enumerate(pb.risk_flags)
    )
    return EnterpriseFields(
        name=pb.name,
        legal_representative=pb.legal_representative,
        industry_code=pb.industry_code,
        address=pb.address,
        town=pb.town,
        grid=pb.grid,
        location=GeoPoint(location.lat, location.lon) if location is not None else _UNUSED_POINT,
        permit_class=permit_class or PermitClass.KEY,
        contact=Contact(pb.contact.person, pb.contact.phone, pb.contact.email),
        risk_flags=flags,
    )


def outlet_kind(value: int) -> OutletKind | None:
    """The outlet kind, or None when unspecified (the use case refuses it by name)."""
    return enum_value("kind", value, OUTLET_KIND, required=False)  # type: ignore[no-any-return]


def geo(pb: common_pb2.GeoPoint) -> GeoPoint:
    """A point as given (validated by the domain)."""
    return GeoPoint(pb.lat, pb.lon)


def outlet_limits(items: list[permits_pb2.OutletLimits]) -> list[OutletLimits]:
    """Per-outlet limits as given (validated against the enterprise's outlets by the domain)."""
    return [
        OutletLimits(
            outlet_id=o.outlet_id.strip().upper(),
            kind=None,
            limits=tuple(
                PollutantLimit(
                    parameter=lim.parameter,
                    concentration=lim.concentration_limit.value,
                    unit=lim.concentration_limit.unit,
                    annual_tonnes=lim.annual_tonnes,
                    concentration_floor=lim.concentration_floor,
                )
                for lim in o.limits
            ),
        )
        for o in items
    ]


def permit_status(value: int) -> PermitStatus | None:
    """A status filter (unspecified: any)."""
    return enum_value("status", value, PERMIT_STATUS, required=False)  # type: ignore[no-any-return]


def eia_type(value: int) -> EiaDocumentType | None:
    """The EIA document type, or None when unspecified."""
    return enum_value("document_type", value, EIA_TYPE, required=False)  # type: ignore[no-any-return]


def eia_status(value: int) -> EiaStatus | None:
    """An EIA status filter (unspecified: any)."""
    return enum_value("status", value, EIA_STATUS, required=False)  # type: ignore[no-any-return]


def radiation_status(value: int) -> RadiationPermitStatus | None:
    """A radiation permit status filter (unspecified: any)."""
    return enum_value("status", value, RADIATION_STATUS, required=False)  # type: ignore[no-any-return]


def risk_flag(value: int) -> RiskFlag | None:
    """A risk-flag filter (unspecified: any)."""
    return enum_value("risk_flag", value, RISK_FLAG, required=False)  # type: ignore[no-any-return]


def permit_class(value: int) -> PermitClass | None:
    """A permit-class filter (unspecified: any)."""
    return enum_value("permit_class", value, PERMIT_CLASS, required=False)  # type: ignore[no-any-return]
