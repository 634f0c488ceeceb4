"""One way for a router to call a service: the gateway's credentials, a deadline on every call, and a
service that does not answer turned into a clear 503 (504 past the deadline) naming it, so one
service down takes down its own routes only. Other gRPC errors map to HTTP as everywhere
(gateway.errors), with the service's message."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import grpc
from fastapi import Request
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from starlette.exceptions import HTTPException

from gateway.clients import clients_of
from shared.china_time import CHINA_TIME
from shared.errors import InvalidArgument

CALL_TIMEOUT = 10.0
_DOWN = {grpc.StatusCode.UNAVAILABLE: 503, grpc.StatusCode.DEADLINE_EXCEEDED: 504}


def call(
    request: Request, service: str, method: str, message: Message, *, timeout: float = CALL_TIMEOUT
) -> Any:
    """`service.method(message)` with the gateway's metadata and a deadline; 503/504 if it is down."""
    clients = clients_of(request.app.state)
    stub = getattr(clients, service)
    try:
        return getattr(stub, method)(message, metadata=clients.metadata(), timeout=timeout)
    except grpc.RpcError as error:
        status = _DOWN.get(error.code())  # type: ignore[attr-defined]
        if status is None:
            raise
        what = "does not answer" if status == 503 else f"did not answer within {timeout:g} s"
        raise HTTPException(
            status, f"the {service} service {what}; its routes are unavailable until it is back"
        ) from None


def enum_value(enum: Any, prefix: str, raw: str, field: str) -> Any:
    """A protobuf enum's number from its short lower-case name ("water_section"), 400 otherwise."""
    names = {
        n.removeprefix(prefix).lower(): v.number
        for n, v in enum.DESCRIPTOR.values_by_name.items()
        if not n.endswith("UNSPECIFIED")
    }
    number = names.get(raw.strip().lower())
    if number is None:
        raise InvalidArgument(field, f"must be one of {', '.join(names)}, got {raw!r}")
    return number


def enum_names(enum: Any, prefix: str) -> list[str]:
    """The short lower-case names of an enum's values (for documentation)."""
    return [
        n.removeprefix(prefix).lower()
        for n in enum.DESCRIPTOR.values_by_name
        if not n.endswith("UNSPECIFIED")
    ]


def timestamp(raw: str, field: str) -> Timestamp:
    """A Timestamp from an ISO 8601 time; one without an offset is China time (UTC+8)."""
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidArgument(
            field, f"must be an ISO 8601 time, e.g. 2026-12-01T08:00:00+08:00, got {raw!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA_TIME)
    stamp = Timestamp()
    stamp.FromDatetime(moment.astimezone(UTC))
    return stamp
