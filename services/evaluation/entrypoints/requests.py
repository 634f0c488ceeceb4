"""Protobuf requests as domain inputs: dates and enums are checked here, since only the wire can
carry a 30 February or an UNSPECIFIED enum."""

from __future__ import annotations

from datetime import date
from typing import Any

from eco.v1 import common_pb2, evaluation_pb2
from services.evaluation.domain.levels import Level
from services.evaluation.domain.repair import RepairStatus
from services.evaluation.entrypoints import messages
from shared.errors import InvalidArgument
from shared.proto_values import day_in

# The request checks every service applies alike (shared.proto_values), by the names used here.
day = day_in


def period_of(request: Any) -> tuple[date | None, date | None]:
    """The `from` and `to` dates of a request that has them."""
    return day("from", getattr(request, "from")), day("to", request.to)


def level(value: int) -> Level | None:
    """A credit level filter (UNSPECIFIED: any)."""
    if value == common_pb2.CREDIT_LEVEL_UNSPECIFIED:
        return None
    found = {int(k): v for k, v in messages.LEVEL_FROM_PROTO.items()}.get(value)
    if found is None:
        raise InvalidArgument("level", f"unknown credit level {value}")
    return found


def repair_status(value: int) -> RepairStatus | None:
    """A repair status filter (UNSPECIFIED: any)."""
    if value == evaluation_pb2.CREDIT_REPAIR_STATUS_UNSPECIFIED:
        return None
    found = {int(k): v for k, v in messages.REPAIR_STATUS_FROM_PROTO.items()}.get(value)
    if found is None:
        raise InvalidArgument("status", f"unknown credit-repair status {value}")
    return found
