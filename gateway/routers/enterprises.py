"""The enterprise registry for operators: list, register, and the full record (一企一档).

The record holds what the permits service owns (registry, outlets, discharge permits, EIA,
radiation permits, discharge-rights holdings) and the risk service's level with its HJ 941-2018 form;
other services' sections are added as they land. A section whose service does not answer is left
out with a warning naming it (`partial`, `warnings`).
Every rule is the permits service's: its errors come back as HTTP with the same message.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status
from pydantic import Field

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


class EnterpriseIn(In):
    """An enterprise to register. Fields are checked by the permits service, which names the bad one."""

    uscc: str = _documented(f"{USCC_DESCRIPTION}; lower case is accepted", **USCC_SCHEMA)
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


EnterpriseOut = model_of(permits_pb2.Enterprise)
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
    fields = permits_pb2.EnterpriseFields(
        name=enterprise_in.name,
        legal_representative=enterprise_in.legal_representative,
        contact=permits_pb2.Contact(**enterprise_in.contact.model_dump()),
        industry_code=enterprise_in.industry_code,
        address=enterprise_in.address,
        town=enterprise_in.town,
        grid=enterprise_in.grid,
        location=common_pb2.GeoPoint(lat=enterprise_in.lat, lon=enterprise_in.lon),
        risk_flags=[_enum(f"risk_flags[{i}]", f, RISK_FLAGS) for i, f in enumerate(enterprise_in.risk_flags)],
        permit_class=_enum("permit_class", enterprise_in.permit_class, PERMIT_CLASSES),
    )
    stub, metadata = _stub(request)
    created = stub.RegisterEnterprise(
        permits_pb2.RegisterEnterpriseRequest(uscc=enterprise_in.uscc, fields=fields),
        metadata=metadata,
        timeout=CALL_TIMEOUT,
    )
    return to_json(created)
