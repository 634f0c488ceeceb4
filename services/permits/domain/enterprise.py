"""The enterprise registry's rules: what a valid enterprise and a valid outlet are."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from services.permits.domain import outlet_parameters, values
from services.permits.domain.outlet_parameters import OutletKind as OutletKind  # re-exported
from services.permits.domain.values import GeoPoint
from shared.errors import FailedPrecondition, InvalidArgument
from shared.uscc import validate_uscc


class RiskFlag(enum.StrEnum):
    """Risk flags that put an enterprise under special supervision."""

    HEAVY_METALS = "heavy_metals"
    HAZARDOUS_CHEMICALS = "hazardous_chemicals"
    HAZARDOUS_WASTE = "hazardous_waste"
    PERSISTENT_ORGANIC_POLLUTANTS = "persistent_organic_pollutants"
    RADIATION_SOURCES = "radiation_sources"


class PermitClass(enum.StrEnum):
    """Discharge-permit management classes (排污许可管理条例, 2021)."""

    KEY = "key"
    SIMPLIFIED = "simplified"
    REGISTRATION = "registration"


# HJ 608-2017 outlet coding: DW for wastewater outlets, DA for waste-gas outlets.
OUTLET_CODE_PREFIX = {OutletKind.WASTEWATER: "DW", OutletKind.WASTE_GAS: "DA"}
# GB/T 4754-2017: a section letter A-T followed by a 2-4 digit division/group/class code.
# ASCII digits only, to the very end (\d would take other scripts' digits, $ a trailing newline).
INDUSTRY_CODE = re.compile(r"^[A-T][0-9]{2,4}\Z")
EDITABLE_FIELDS = (
    "name",
    "legal_representative",
    "contact",
    "industry_code",
    "address",
    "town",
    "grid",
    "location",
    "risk_flags",
    "permit_class",
)


@dataclass(frozen=True)
class Contact:
    """Who to call at the enterprise; not public."""

    person: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class EnterpriseFields:
    """The editable part of an enterprise."""

    name: str
    legal_representative: str
    industry_code: str
    address: str
    town: str
    location: GeoPoint
    permit_class: PermitClass
    grid: str = ""
    contact: Contact = field(default_factory=Contact)
    risk_flags: frozenset[RiskFlag] = frozenset()


@dataclass(frozen=True)
class Enterprise:
    """One enterprise in the registry."""

    uscc: str
    fields: EnterpriseFields
    registered_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Outlet:
    """One discharge outlet."""

    outlet_id: str
    uscc: str
    kind: OutletKind
    name: str
    location: GeoPoint
    receiving_river: str
    monitored_pollutants: tuple[str, ...]
    added_at: datetime


def industry_code(raw: str) -> str:
    """A GB/T 4754-2017 code such as "C2614" (lower case is upper-cased)."""
    code = (raw or "").strip().upper()
    if not INDUSTRY_CODE.match(code):
        raise InvalidArgument(
            "fields.industry_code",
            f"must be a GB/T 4754-2017 code like 'C2614' (letter A-T, 2-4 digits), got {raw!r}",
        )
    return code


def validate_fields(f: EnterpriseFields) -> EnterpriseFields:
    """The fields with text trimmed and codes normalised, or InvalidArgument naming the first bad one."""
    contact = Contact(
        person=values.text("fields.contact.person", f.contact.person, required=False, max_len=100),
        phone=values.text("fields.contact.phone", f.contact.phone, required=False, max_len=40),
        email=values.text("fields.contact.email", f.contact.email, required=False, max_len=200),
    )
    return replace(
        f,
        name=values.text("fields.name", f.name),
        legal_representative=values.text("fields.legal_representative", f.legal_representative, max_len=100),
        industry_code=industry_code(f.industry_code),
        address=values.text("fields.address", f.address, max_len=500),
        town=values.text("fields.town", f.town, max_len=100),
        grid=values.text("fields.grid", f.grid, required=False, max_len=100),
        location=values.geo_point("fields.location", f.location.lat, f.location.lon),
        contact=contact,
    )


def merge(current: EnterpriseFields, given: EnterpriseFields, paths: list[str]) -> EnterpriseFields:
    """The current fields with the masked paths taken from `given` (then validated whole)."""
    if not paths:
        raise InvalidArgument("update_mask", f"name at least one field of: {', '.join(EDITABLE_FIELDS)}")
    changes = {}
    for path in paths:
        if path not in EDITABLE_FIELDS:
            raise InvalidArgument(
                "update_mask", f"unknown field {path!r}; editable: {', '.join(EDITABLE_FIELDS)}"
            )
        changes[path] = getattr(given, path)
    return validate_fields(replace(current, **changes))


def check_update_allowed(
    uscc: str,
    before: EnterpriseFields,
    after: EnterpriseFields,
    *,
    live_permit: str | None,
    valid_radiation_permit: str | None,
) -> None:
    """FAILED_PRECONDITION when an update would contradict a permit the enterprise holds.

    live_permit / valid_radiation_permit describe such a permit ("<number> (<status>)") or are None.
    """
    to_registration = (
        after.permit_class is PermitClass.REGISTRATION and before.permit_class is not PermitClass.REGISTRATION
    )
    if to_registration and live_permit:
        # 固定污染源排污许可分类管理名录 (2019): registration-class units hold no discharge permit.
        raise FailedPrecondition(
            f"enterprise {uscc} has discharge permit {live_permit}; a registration-class unit holds "
            "no permit: end it (withdraw, reject, revoke) before changing the class to registration"
        )
    dropping_radiation = (
        RiskFlag.RADIATION_SOURCES in before.risk_flags and RiskFlag.RADIATION_SOURCES not in after.risk_flags
    )
    if dropping_radiation and valid_radiation_permit:
        raise FailedPrecondition(
            f"enterprise {uscc} holds radiation-safety permit {valid_radiation_permit}; it keeps the "
            "radiation_sources flag while that permit is valid"
        )


def new_enterprise(uscc: str, f: EnterpriseFields, now: datetime) -> Enterprise:
    """A validated enterprise ready to be registered."""
    return Enterprise(uscc=validate_uscc(uscc), fields=validate_fields(f), registered_at=now, updated_at=now)


def outlet_id(uscc: str, kind: OutletKind, sequence: int) -> str:
    """The globally unique id of an enterprise's n-th outlet of a kind, e.g. "<uscc>-DW001"."""
    return f"{uscc}-{OUTLET_CODE_PREFIX[kind]}{sequence:03d}"


def validate_outlet(
    kind: OutletKind, name: str, location: GeoPoint, receiving_river: str, pollutants: list[str]
) -> tuple[str, GeoPoint, str, tuple[str, ...]]:
    """The outlet's name, location, river and monitored pollutants (from its kind's catalogue)."""
    name = values.text("name", name)
    point = values.geo_point("location", location.lat, location.lon)
    river = values.text("receiving_river", receiving_river, required=False)
    if kind is OutletKind.WASTEWATER and not river:
        raise InvalidArgument("receiving_river", "required for a wastewater outlet")
    if kind is OutletKind.WASTE_GAS and river:
        raise InvalidArgument("receiving_river", "only wastewater outlets discharge into a river")
    codes = tuple(
        dict.fromkeys(
            outlet_parameters.parameter(f"monitored_pollutants[{i}]", kind, p)
            for i, p in enumerate(pollutants)
        )
    )
    return name, point, river, codes
