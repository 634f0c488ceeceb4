"""The enterprise registry for operators: list, register, change, add outlets, and the full record
(一企一档).

The record holds what the permits service owns (registry, outlets, discharge permits, EIA,
radiation permits, discharge-rights holdings) and the risk service's level with its HJ 941-2018 form;
other services' sections are added as they land. A section whose service does not answer is left
out with a warning naming it (`partial`, `warnings`).
Every rule is the permits service's: its errors come back as HTTP with the same message.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status
from google.protobuf.field_mask_pb2 import FieldMask
from pydantic import ConfigDict, Field

from eco.v1 import common_pb2, permits_pb2, permits_pb2_grpc
from gateway import operators, roles
from gateway.clients import clients_of
from gateway.contract import USCC_DESCRIPTION, USCC_SCHEMA, PageOut, PageSize, PageToken, Uscc
from gateway.errors import API_ERRORS
from gateway.inputs import In
from gateway.proto_json import model_of, to_json
from gateway.routers import risk
from shared.errors import InvalidArgument

router = APIRouter(prefix="/api/v1", tags=["enterprises"], responses=API_ERRORS)
CALL_TIMEOUT = 10.0
# Registering an enterprise is the bureau's act, not a field team's.
REGISTRARS = (roles.ADMIN, roles.PERMIT_OFFICER)

# Who reads the registry and the record, and a grid commissioner's area: gateway.roles.
RecordReader = Annotated[operators.Operator, Depends(operators.require())]
Registrar = Annotated[operators.Operator, Depends(operators.require(*REGISTRARS))]


def _names(enum: Any, prefix: str) -> dict[str, str]:
    """Friendly lower-case names of a protobuf enum's values ("key" for PERMIT_CLASS_KEY) -> full names."""
    return {
        name.removeprefix(prefix).lower(): name
        for name in enum.DESCRIPTOR.values_by_name
        if not name.endswith("UNSPECIFIED")
    }


RISK_FLAGS = _names(permits_pb2.RiskFlag, "RISK_FLAG_")
PERMIT_CLASSES = _names(common_pb2.PermitClass, "PERMIT_CLASS_")
OUTLET_KINDS = _names(permits_pb2.OutletKind, "OUTLET_KIND_")


def _enum(field: str, raw: str, table: dict[str, str]) -> str:
    value = table.get(raw.strip().lower())
    if value is None:
        raise InvalidArgument(field, f"must be one of {', '.join(table)}, got {raw!r}")
    return value


def _stub(request: Request) -> tuple[permits_pb2_grpc.PermitsServiceStub, tuple[tuple[str, str], ...]]:
    clients = clients_of(request.app.state)
    return clients.permits, clients.metadata()


def _documented(description: str = "", **schema: Any) -> Any:
    """A body field whose limits are documented here and enforced by the permits service (which
    names the field in its refusal): the gateway does not check them a second time."""
    return Field(default="", description=description, json_schema_extra=schema)


class ContactIn(In):
    """Who to call at the enterprise (shown to operators only)."""

    person: str = _documented(maxLength=100)
    phone: str = _documented(maxLength=40)
    email: str = _documented(maxLength=200)


class EnterpriseFieldsIn(In):
    """An enterprise's editable fields. Fields are checked by the permits service, which names the bad
    one (as `fields.<name>`)."""

    name: str = _documented(minLength=1, maxLength=200)
    legal_representative: str = _documented(minLength=1, maxLength=100)
    contact: ContactIn = Field(default_factory=ContactIn)
    industry_code: str = _documented(
        "GB/T 4754-2017, e.g. C2614 (lower case accepted)", pattern="^[A-Ta-t][0-9]{2,4}$"
    )
    address: str = _documented(minLength=1, maxLength=500)
    town: str = _documented(minLength=1, maxLength=100)
    grid: str = _documented(maxLength=100)
    lat: float = Field(
        default=0.0, description="WGS84 latitude", json_schema_extra={"minimum": -90, "maximum": 90}
    )
    lon: float = Field(
        default=0.0, description="WGS84 longitude", json_schema_extra={"minimum": -180, "maximum": 180}
    )
    risk_flags: list[str] = Field(
        default_factory=list, json_schema_extra={"items": {"type": "string", "enum": list(RISK_FLAGS)}}
    )
    permit_class: str = _documented(enum=list(PERMIT_CLASSES))


class EnterpriseIn(EnterpriseFieldsIn):
    """An enterprise to register. Fields are checked by the permits service, which names the bad one."""

    uscc: str = _documented(f"{USCC_DESCRIPTION}; lower case is accepted", **USCC_SCHEMA)


class EnterpriseChangesIn(EnterpriseFieldsIn):
    """The fields to change: only those the body names (`contact` is replaced whole; `lat` and `lon`
    come together). The others keep their values."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"grid": "周巷-03", "contact": {"person": "周丽", "phone": "0574-63111112"}}]
        }
    )


# The message's fields (and update mask paths) the body's fields fill: lat and lon are one location.
EDITABLE = (
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
TEXT_FIELDS = ("name", "legal_representative", "industry_code", "address", "town", "grid")


def _fields_message(body: EnterpriseFieldsIn, paths: Collection[str]) -> permits_pb2.EnterpriseFields:
    """The message holding the body's values at `paths` (the others unset)."""
    values: dict[str, Any] = {p: getattr(body, p) for p in TEXT_FIELDS if p in paths}
    if "contact" in paths:
        values["contact"] = permits_pb2.Contact(**body.contact.model_dump())
    if "location" in paths:
        values["location"] = common_pb2.GeoPoint(lat=body.lat, lon=body.lon)
    if "risk_flags" in paths:
        values["risk_flags"] = [
            _enum(f"risk_flags[{i}]", f, RISK_FLAGS) for i, f in enumerate(body.risk_flags)
        ]
    if "permit_class" in paths:
        values["permit_class"] = _enum("permit_class", body.permit_class, PERMIT_CLASSES)
    return permits_pb2.EnterpriseFields(**values)


def _changed_paths(body: EnterpriseChangesIn) -> list[str]:
    """The update mask of a body: the fields it names, lat and lon as `location`."""
    given = body.model_fields_set
    if ("lat" in given) != ("lon" in given):
        missing = "lon" if "lat" in given else "lat"
        raise InvalidArgument(missing, "required with the other coordinate (lat and lon are one location)")
    named = {"location" if f in ("lat", "lon") else f for f in given}
    if not named:
        raise InvalidArgument("body", f"name at least one field to change: {', '.join(EDITABLE)}")
    return [p for p in EDITABLE if p in named]


class OutletIn(In):
    """A discharge outlet to add (排放口); the service numbers it <uscc>-DW001 (wastewater) or -DA001."""

    kind: str = Field(
        description="wastewater or waste_gas",
        examples=["wastewater"],
        json_schema_extra={"enum": [*OUTLET_KINDS]},
    )
    name: str = _documented(minLength=1, maxLength=200)
    lat: float = Field(
        description="WGS84 latitude", examples=[30.16], json_schema_extra={"minimum": -90, "maximum": 90}
    )
    lon: float = Field(
        description="WGS84 longitude", examples=[121.15], json_schema_extra={"minimum": -180, "maximum": 180}
    )
    receiving_river: str = _documented("The river a wastewater outlet discharges into; empty for waste gas")
    monitored_pollutants: list[str] = Field(
        default_factory=list,
        description="Parameter codes of the outlet's kind (wastewater: COD, NH3N, ...; waste gas: SO2, ...)",
        examples=[["COD", "NH3N"]],
    )


EnterpriseOut = model_of(permits_pb2.Enterprise)
OutletOut = model_of(permits_pb2.Outlet)
_PermitsRecordOut: Any = model_of(permits_pb2.EnterpriseRecord)


class EnterpriseRecordOut(_PermitsRecordOut):  # type: ignore[misc]
    """The full record: permits' part, then other services' sections (missing ones named in warnings)."""

    risk: dict[str, Any] | None = Field(description="The risk section; null when not assessed or unavailable")
    partial: bool
    warnings: list[str]


class EnterprisesPage(PageOut):
    """One page of enterprises, ordered by USCC."""

    enterprises: list[EnterpriseOut]  # type: ignore[valid-type]


@router.get("/enterprises", response_model=EnterprisesPage)
def list_enterprises(
    request: Request,
    _: RecordReader,
    town: str = "",
    industry: str = Query("", description="GB/T 4754 code or prefix, e.g. C26"),
    flag: str = Query("", description="A risk flag", json_schema_extra={"enum": ["", *RISK_FLAGS]}),
    permit_class: str = Query(
        "", description="A permit class", json_schema_extra={"enum": ["", *PERMIT_CLASSES]}
    ),
    page_size: PageSize = 50,
    page_token: PageToken = "",
) -> dict[str, Any]:
    """Enterprises by town, industry, risk flag and permit class, ordered by USCC, a page at a time."""
    stub, metadata = _stub(request)
    reply = stub.ListEnterprises(
        permits_pb2.ListEnterprisesRequest(
            town=town,
            industry_code=industry,
            risk_flag=_enum("flag", flag, RISK_FLAGS) if flag else None,
            permit_class=_enum("permit_class", permit_class, PERMIT_CLASSES) if permit_class else None,
            page=common_pb2.PageRequest(page_size=page_size, page_token=page_token),
        ),
        metadata=metadata,
        timeout=CALL_TIMEOUT,
    )
    return {
        "enterprises": [to_json(e) for e in reply.enterprises],
        "next_page_token": reply.page.next_page_token,
        "total": reply.page.total,
    }


@router.get("/enterprises/{uscc}", response_model=EnterpriseRecordOut)
def get_enterprise_record(uscc: Uscc, request: Request, _: RecordReader) -> dict[str, Any]:
    """The enterprise's full record (一企一档): registry, outlets, permits, EIA, radiation permits, rights."""
    stub, metadata = _stub(request)
    record = stub.GetEnterpriseRecord(
        permits_pb2.GetEnterpriseRequest(uscc=uscc), metadata=metadata, timeout=CALL_TIMEOUT
    )
    # Other services' sections: one missing (its service down) leaves the record partial, with a warning.
    risk_section, warnings = risk.record_section(request, record.enterprise.uscc or uscc)
    return {**to_json(record), "risk": risk_section, "partial": bool(warnings), "warnings": warnings}


@router.post("/enterprises", status_code=status.HTTP_201_CREATED, response_model=EnterpriseOut)
def register_enterprise(enterprise_in: EnterpriseIn, request: Request, operator: Registrar) -> dict[str, Any]:
    """Register an enterprise (officers and admins); 409 if its USCC is already registered."""
    fields = _fields_message(enterprise_in, EDITABLE)
    stub, metadata = _stub(request)
    created = stub.RegisterEnterprise(
        permits_pb2.RegisterEnterpriseRequest(uscc=enterprise_in.uscc, fields=fields),
        metadata=metadata,
        timeout=CALL_TIMEOUT,
    )
    return to_json(created)


@router.patch("/enterprises/{uscc}", response_model=EnterpriseOut)
def update_enterprise(
    uscc: Uscc, changes_in: EnterpriseChangesIn, request: Request, operator: Registrar
) -> dict[str, Any]:
    """Change the fields the body names (officers and admins); the others keep their values. Refused
    (409) where a change contradicts a permit held, e.g. registration class with a live permit."""
    paths = _changed_paths(changes_in)
    stub, metadata = _stub(request)
    updated = stub.UpdateEnterprise(
        permits_pb2.UpdateEnterpriseRequest(
            uscc=uscc, fields=_fields_message(changes_in, paths), update_mask=FieldMask(paths=paths)
        ),
        metadata=metadata,
        timeout=CALL_TIMEOUT,
    )
    return to_json(updated)


@router.post("/enterprises/{uscc}/outlets", status_code=status.HTTP_201_CREATED, response_model=OutletOut)
def add_outlet(uscc: Uscc, outlet_in: OutletIn, request: Request, operator: Registrar) -> dict[str, Any]:
    """Add a discharge outlet to an enterprise (officers and admins); the service assigns its id."""
    stub, metadata = _stub(request)
    outlet = stub.AddOutlet(
        permits_pb2.AddOutletRequest(
            uscc=uscc,
            kind=_enum("kind", outlet_in.kind, OUTLET_KINDS),  # type: ignore[arg-type]
            name=outlet_in.name,
            location=common_pb2.GeoPoint(lat=outlet_in.lat, lon=outlet_in.lon),
            receiving_river=outlet_in.receiving_river,
            monitored_pollutants=outlet_in.monitored_pollutants,
        ),
        metadata=metadata,
        timeout=CALL_TIMEOUT,
    )
    return to_json(outlet)
