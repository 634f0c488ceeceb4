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
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from pydantic import BaseModel, Field

from eco.v1 import common_pb2, permits_pb2, permits_pb2_grpc
from gateway import operators
from gateway.clients import clients_of
from gateway.errors import API_ERRORS
from gateway.routers import risk
from shared.errors import InvalidArgument

router = APIRouter(prefix="/api/v1", tags=["enterprises"], responses=API_ERRORS)
CALL_TIMEOUT = 10.0
# Registering an enterprise is the bureau's act, not a field team's.
REGISTRARS = ("admin", "officer")

RecordReader = Annotated[operators.Operator, Depends(operators.require(*operators.RECORD_READERS))]
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


def to_json(message: Message) -> dict[str, Any]:
    """A message as JSON for operators: dates as ISO strings, enums as short lower-case names."""
    out: dict[str, Any] = {}
    for field in message.DESCRIPTOR.fields:
        value = getattr(message, field.name)
        if field.is_repeated:
            out[field.name] = [_value(field, item) for item in value]
        elif field.type == FieldDescriptor.TYPE_MESSAGE and not message.HasField(field.name):
            out[field.name] = None
        else:
            out[field.name] = _value(field, value)
    return out


def _value(field: Any, value: Any) -> Any:
    if field.type == FieldDescriptor.TYPE_ENUM:
        enum = field.enum_type
        name = enum.values_by_number[value].name
        # PermitStatus values are PERMIT_STATUS_*: the prefix is the enum's name in upper snake case.
        prefix = "".join(f"_{c}" if c.isupper() else c.upper() for c in enum.name).lstrip("_") + "_"
        return None if name.endswith("UNSPECIFIED") else name.removeprefix(prefix).lower()
    if field.type != FieldDescriptor.TYPE_MESSAGE:
        return value
    full_name = field.message_type.full_name
    if full_name == "eco.v1.Date":
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}" if value.year else None
    if full_name == "google.protobuf.Timestamp":
        return value.ToJsonString()
    return to_json(value)


def _stub(request: Request) -> tuple[permits_pb2_grpc.PermitsServiceStub, tuple[tuple[str, str], ...]]:
    clients = clients_of(request.app.state)
    return clients.permits, clients.metadata()


class ContactIn(BaseModel):
    """Who to call at the enterprise (shown to operators only)."""

    person: str = ""
    phone: str = ""
    email: str = ""


class EnterpriseIn(BaseModel):
    """An enterprise to register. Fields are checked by the permits service, which names the bad one."""

    uscc: str = Field(
        default="", description="Unified social credit code, GB 32100-2015 (lower case accepted)"
    )
    name: str = ""
    legal_representative: str = ""
    contact: ContactIn = Field(default_factory=ContactIn)
    industry_code: str = Field(default="", description="GB/T 4754-2017, e.g. C2614")
    address: str = ""
    town: str = ""
    grid: str = ""
    lat: float = Field(default=0.0, description="WGS84 latitude")
    lon: float = Field(default=0.0, description="WGS84 longitude")
    risk_flags: list[str] = Field(default_factory=list, description=f"Any of: {', '.join(RISK_FLAGS)}")
    permit_class: str = Field(default="", description=f"One of: {', '.join(PERMIT_CLASSES)}")


@router.get("/enterprises")
def list_enterprises(
    request: Request,
    _: RecordReader,
    town: str = "",
    industry: str = Query("", description="GB/T 4754 code or prefix, e.g. C26"),
    flag: str = Query("", description=f"One of: {', '.join(RISK_FLAGS)}"),
    permit_class: str = Query("", description=f"One of: {', '.join(PERMIT_CLASSES)}"),
    page_size: int = Query(50, ge=1, le=500),
    page_token: str = "",
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


@router.get("/enterprises/{uscc}")
def get_enterprise_record(uscc: str, request: Request, _: RecordReader) -> dict[str, Any]:
    """The enterprise's full record (一企一档): registry, outlets, permits, EIA, radiation permits, rights."""
    stub, metadata = _stub(request)
    record = stub.GetEnterpriseRecord(
        permits_pb2.GetEnterpriseRequest(uscc=uscc), metadata=metadata, timeout=CALL_TIMEOUT
    )
    # Other services' sections: one missing (its service down) leaves the record partial, with a warning.
    risk_section, warnings = risk.record_section(request, record.enterprise.uscc or uscc)
    return {**to_json(record), "risk": risk_section, "partial": bool(warnings), "warnings": warnings}


@router.post("/enterprises", status_code=status.HTTP_201_CREATED)
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
