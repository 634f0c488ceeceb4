"""Permit events from the permits service: outlet limits become the thresholds of outlet monitors.

PermitIssued and PermitRenewed set the limits of the permit's outlets; PermitRevoked, PermitExpired
and PermitSuspended end them, after which the outlet's readings are reported as having no valid
permit limit. The translation from the permits contract is one function, `limits_from_permit`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from google.protobuf.message import Message
from sqlalchemy.engine import Connection

from eco.v1 import common_pb2, events_pb2, permits_pb2
from services.monitoring.adapters import repository
from services.monitoring.adapters.repository import OutletLimitRow
from services.monitoring.domain.parameters import normalise_unit

log = logging.getLogger(__name__)


def _date(value: common_pb2.Date) -> date:
    return date(value.year, value.month, value.day)


def limits_from_permit(
    *,
    uscc: str,
    permit_number: str,
    valid_from: common_pb2.Date,
    valid_until: common_pb2.Date,
    outlets: Iterable[permits_pb2.OutletLimits],
) -> list[OutletLimitRow]:
    """One row per outlet and pollutant with a concentration limit (tonnage-only pollutants have none)."""
    start, end = _date(valid_from), _date(valid_until)
    rows = []
    for outlet in outlets:
        for pollutant in outlet.limits:
            limit = pollutant.concentration_limit
            if limit.value <= 0:
                log.info(
                    "permit %s outlet %s: %s has no concentration limit",
                    permit_number,
                    outlet.outlet_id,
                    pollutant.parameter,
                )
                continue
            rows.append(
                OutletLimitRow(
                    outlet_id=outlet.outlet_id,
                    parameter=pollutant.parameter.upper(),
                    limit_value=limit.value,
                    floor=pollutant.concentration_floor,
                    unit=normalise_unit(limit.unit),
                    uscc=uscc,
                    permit_number=permit_number,
                    valid_from=start,
                    valid_until=end,
                )
            )
    return rows


def on_permit_issued(conn: Connection, envelope: events_pb2.EventEnvelope, payload: Message) -> None:
    """A permit's outlet limits become thresholds."""
    assert isinstance(payload, permits_pb2.PermitIssued)
    rows = limits_from_permit(
        uscc=payload.uscc,
        permit_number=payload.permit_number,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        outlets=payload.outlets,
    )
    repository.replace_permit_limits(conn, permit_number=payload.permit_number, rows_in=rows)


def on_permit_renewed(conn: Connection, envelope: events_pb2.EventEnvelope, payload: Message) -> None:
    """A renewed permit's limits and new term replace the old ones."""
    assert isinstance(payload, permits_pb2.PermitRenewed)
    rows = limits_from_permit(
        uscc=payload.uscc,
        permit_number=payload.permit_number,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        outlets=payload.outlets,
    )
    repository.replace_permit_limits(conn, permit_number=payload.permit_number, rows_in=rows)


def on_permit_ended(conn: Connection, envelope: events_pb2.EventEnvelope, payload: Message) -> None:
    """A revoked, expired or suspended permit's limits stop applying."""
    permit_number = getattr(payload, "permit_number", "")
    ended = repository.delete_permit_limits(conn, permit_number=permit_number)
    log.info("%s %s: %d outlet limits ended", envelope.type, permit_number, ended)


HANDLERS = {
    "PermitIssued": on_permit_issued,
    "PermitRenewed": on_permit_renewed,
    "PermitRevoked": on_permit_ended,
    "PermitExpired": on_permit_ended,
    "PermitSuspended": on_permit_ended,
}
