"""Protobuf replies as operators' JSON, and the Pydantic model that documents that JSON.

One rule, two faces: `to_json` writes a message (dates as ISO strings, enums as short lower-case
names, unset messages as null) and `model_of` describes exactly what `to_json` writes for a message
type, so a route answering `to_json(reply)` declares `response_model=model_of(Reply)` and its
OpenAPI schema follows the contract in `proto/` field for field (extra fields are refused).
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal

from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor
from google.protobuf.message import Message
from pydantic import BaseModel, Field, create_model

from gateway.contract import Out

# Dates and times stay strings (what `to_json` writes), documented with their formats.
DateText = Annotated[str, Field(json_schema_extra={"format": "date"})]
TimestampText = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
_SCALARS: dict[int, type] = {
    FieldDescriptor.TYPE_DOUBLE: float,
    FieldDescriptor.TYPE_FLOAT: float,
    FieldDescriptor.TYPE_INT64: int,
    FieldDescriptor.TYPE_UINT64: int,
    FieldDescriptor.TYPE_INT32: int,
    FieldDescriptor.TYPE_FIXED64: int,
    FieldDescriptor.TYPE_FIXED32: int,
    FieldDescriptor.TYPE_BOOL: bool,
    FieldDescriptor.TYPE_STRING: str,
    FieldDescriptor.TYPE_BYTES: bytes,
    FieldDescriptor.TYPE_UINT32: int,
    FieldDescriptor.TYPE_SFIXED32: int,
    FieldDescriptor.TYPE_SFIXED64: int,
    FieldDescriptor.TYPE_SINT32: int,
    FieldDescriptor.TYPE_SINT64: int,
}


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


def _enum_prefix(enum: EnumDescriptor) -> str:
    # PermitStatus values are PERMIT_STATUS_*: the prefix is the enum's name in upper snake case.
    return "".join(f"_{c}" if c.isupper() else c.upper() for c in enum.name).lstrip("_") + "_"


def enum_names(enum: EnumDescriptor) -> list[str]:
    """The short lower-case names `to_json` writes for an enum's values (UNSPECIFIED is null)."""
    prefix = _enum_prefix(enum)
    return [v.name.removeprefix(prefix).lower() for v in enum.values if not v.name.endswith("UNSPECIFIED")]


def _value(field: Any, value: Any) -> Any:
    if field.type == FieldDescriptor.TYPE_ENUM:
        name = field.enum_type.values_by_number[value].name
        return (
            None if name.endswith("UNSPECIFIED") else name.removeprefix(_enum_prefix(field.enum_type)).lower()
        )
    if field.type != FieldDescriptor.TYPE_MESSAGE:
        return value
    full_name = field.message_type.full_name
    if full_name == "eco.v1.Date":
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}" if value.year else None
    if full_name == "google.protobuf.Timestamp":
        return value.ToJsonString()
    return to_json(value)


class ProtoOut(Out):
    """The base of every model made from a message: an `Out`, so a field the contract does not name
    is refused."""


def model_of(message: type[Message]) -> type[BaseModel]:
    """The model of what `to_json` writes for this message type (one model per type, named after it)."""
    return _model(message.DESCRIPTOR)


@cache
def _model(descriptor: Descriptor) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for field in descriptor.fields:
        item = _item_type(field)
        if field.is_repeated:
            fields[field.name] = (list[item], ...)  # type: ignore[valid-type]
        elif field.type in (FieldDescriptor.TYPE_MESSAGE, FieldDescriptor.TYPE_ENUM):
            fields[field.name] = (item | None, ...)
        else:
            fields[field.name] = (item, ...)
    name = descriptor.full_name.removeprefix("eco.v1.").replace(".", "")
    model = create_model(f"{name}Out", __base__=ProtoOut, **fields)
    model.__doc__ = f"`{descriptor.full_name}` as operators' JSON (proto/eco/v1)."
    return model


def _item_type(field: FieldDescriptor) -> Any:
    if field.enum_type is not None:
        return Literal[tuple(enum_names(field.enum_type))]
    if field.message_type is None:
        return _SCALARS[field.type]
    full_name = field.message_type.full_name
    if full_name == "eco.v1.Date":
        return DateText
    if full_name == "google.protobuf.Timestamp":
        return TimestampText
    return _model(field.message_type)
