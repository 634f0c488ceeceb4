"""Permit events from the permits service: outlet limits become the thresholds of outlet monitors.

PermitIssued, PermitRenewed and PermitReinstated (a suspension lifted) set the limits of the
permit's outlets; PermitRevoked, PermitExpired
and PermitSuspended end them, after which the outlet's readings are reported as having no valid
permit limit, and the exceedances open against that permit's limits are closed ("permit ended:
<status>"), since no reading can clear them any more. The translation from the permits contract is
one function, `limits_from_permit`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from datetime import date

from google.protobuf.message import Message
from sqlalchemy.engine import Connection

from eco.v1 import common_pb2, events_pb2, permits_pb2
from services.monitoring.adapters import alarms as alarms_repo
from services.monitoring.adapters import repository
from services.monitoring.adapters.repository import OutletLimitRow
from services.monitoring.domain.limits import permit_basis
from services.monitoring.domain.parameters import normalise_unit
from services.monitoring.service_layer import recording

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


PermitWithLimits = permits_pb2.PermitIssued | permits_pb2.PermitRenewed | permits_pb2.PermitReinstated


def _set_limits(conn: Connection, payload: PermitWithLimits) -> None:
    """Make the limits an event carries the permit's thresholds, for the term it carries."""
    rows = limits_from_permit(
        uscc=payload.uscc,
        permit_number=payload.permit_number,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        outlets=payload.outlets,
    )
    repository.replace_permit_limits(conn, permit_number=payload.permit_number, rows_in=rows)


def on_permit_issued(conn: Connection, envelope: events_pb2.EventEnvelope, payload: Message) -> None:
    """A permit's outlet limits become thresholds."""
    assert isinstance(payload, permits_pb2.PermitIssued)
    _set_limits(conn, payload)


def on_permit_renewed(conn: Connection, envelope: events_pb2.EventEnvelope, payload: Message) -> None:
    """A renewed permit's limits and new term replace the old ones."""
    assert isinstance(payload, permits_pb2.PermitRenewed)
    _set_limits(conn, payload)


def on_permit_reinstated(conn: Connection, envelope: events_pb2.EventEnvelope, payload: Message) -> None:
    """A suspended permit in force again: its limits (carried by the event) are thresholds again."""
    assert isinstance(payload, permits_pb2.PermitReinstated)
    _set_limits(conn, payload)


# The status each ending event leaves the permit in, as the closing reason names it.
ENDED_STATUS = {"PermitRevoked": "revoked", "PermitExpired": "expired", "PermitSuspended": "suspended"}


def close_exceedances_of_permit(
    conn: Connection, *, permit_number: str, outlet_ids: list[str], reason: str, at_ms: int
) -> int:
    """Close the open exceedances held to this permit's limits, each with an ExceedanceCleared
    carrying the reason; returns how many closed. Alarm limits set at registration are untouched."""
    closed = 0
    rows = alarms_repo.get_open_exceedances_of_outlets(
        conn, outlet_ids=outlet_ids, limit_basis=permit_basis(permit_number)
    )
    for row in rows:
        stored = repository.get(conn, station_id=row.station_id)
        if stored is None:
            continue
        final = dataclasses.replace(row, cleared_ts=max(at_ms, row.opened_ts), cleared_reason=reason)
        closed += recording.cleared(conn, final, stored.station, ())
    return closed


def on_permit_ended(conn: Connection, envelope: events_pb2.EventEnvelope, payload: Message) -> None:
    """A revoked, expired or suspended permit's limits stop applying and its exceedances close."""
    permit_number = getattr(payload, "permit_number", "")
    outlets = repository.outlets_of_permit(conn, permit_number=permit_number)
    ended = repository.delete_permit_limits(conn, permit_number=permit_number)
    closed = close_exceedances_of_permit(
        conn,
        permit_number=permit_number,
        outlet_ids=outlets,
        reason=f"permit ended: {ENDED_STATUS[envelope.type]}",
        at_ms=envelope.occurred_at.ToMilliseconds(),
    )
    log.info(
        "%s %s: %d outlet limits ended, %d exceedances closed", envelope.type, permit_number, ended, closed
    )


HANDLERS = {
    "PermitIssued": on_permit_issued,
    "PermitRenewed": on_permit_renewed,
    "PermitReinstated": on_permit_reinstated,
    "PermitRevoked": on_permit_ended,
    "PermitExpired": on_permit_ended,
    "PermitSuspended": on_permit_ended,
}
