"""What an officer sees below the public part of a code page: the enterprise's full record.

Asked live from the permits service (GetEnterpriseRecord) with the gateway's own credentials, and
only for an operator whose role may read records (gateway.operators.RECORD_READERS). The page marks
it "内部 internal" and is then never cached.
"""

from __future__ import annotations

from typing import Any

import grpc
from fastapi import Request

from eco.v1 import permits_pb2
from gateway.access import outside
from gateway.clients import clients_of
from gateway.operators import RECORD_READERS, Operator
from gateway.proto_json import to_json
from gateway.roles import GRID_COMMISSIONER

CALL_TIMEOUT = 3.0


def may_read_records(operator: Operator | None) -> bool:
    """Whether the page may show this operator the full record (a grid commissioner's: only if the
    enterprise is in their area, `in_area`)."""
    return operator is not None and (operator.role in RECORD_READERS or operator.role == GRID_COMMISSIONER)


def in_area(operator: Operator, record: dict[str, Any]) -> bool:
    """Whether a record read for the page lies in the operator's area (always, for city-wide roles)."""
    fields = (record.get("enterprise") or {}).get("fields") or {}
    return record.get("available", False) and not outside(
        operator, town=str(fields.get("town", "")), grid=str(fields.get("grid", ""))
    )


def full_record(request: Request, uscc: str) -> dict[str, Any]:
    """The record as operators' JSON (registry with contact, outlets, permits, ...), or why it is missing."""
    clients = clients_of(request.app.state)
    try:
        record: permits_pb2.EnterpriseRecord = clients.permits.GetEnterpriseRecord(
            permits_pb2.GetEnterpriseRequest(uscc=uscc), metadata=clients.metadata(), timeout=CALL_TIMEOUT
        )
    except grpc.RpcError as error:
        reason = error.details() or error.code().name  # type: ignore[attr-defined]
        return {"available": False, "reason": f"the permits service did not give the record: {reason}"}
    return {"available": True, "link": f"/api/v1/enterprises/{uscc}", **to_json(record)}
