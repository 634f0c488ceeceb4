"""Permit events from the permits service: outlet limits become the thresholds of outlet monitors.

PermitIssued, PermitRenewed and PermitReinstated (a suspension lifted) set the limits of the
permit's outlets; PermitRevoked, PermitExpired
and PermitSuspended end them, after which the outlet's readings are reported as having no valid
permit limit, and the exceedances open against that permit's limits are closed ("permit ended:
<status>"), since no reading can clear them any more. The translation from the permits contract lives at the
edge, in entrypoints/consumers.py.
"""

from __future__ import annotations

import dataclasses
import logging

from sqlalchemy.engine import Connection

from services.monitoring.adapters import alarms as alarms_repo
from services.monitoring.adapters import repository
from services.monitoring.adapters.repository import OutletLimitRow
from services.monitoring.domain.limits import permit_basis
from services.monitoring.service_layer import recording

log = logging.getLogger(__name__)


def set_permit_limits(conn: Connection, *, permit_number: str, rows: list[OutletLimitRow]) -> None:
    """Make a permit's outlet limits (translated from its event at the edge) the thresholds, for the
    term it carries, replacing what the permit set before."""
    repository.replace_permit_limits(conn, permit_number=permit_number, rows_in=rows)


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


def end_permit(conn: Connection, *, permit_number: str, event_type: str, at_ms: int) -> None:
    """A revoked, expired or suspended permit's limits stop applying and its exceedances close."""
    outlets = repository.outlets_of_permit(conn, permit_number=permit_number)
    ended = repository.delete_permit_limits(conn, permit_number=permit_number)
    closed = close_exceedances_of_permit(
        conn,
        permit_number=permit_number,
        outlet_ids=outlets,
        reason=f"permit ended: {ENDED_STATUS[event_type]}",
        at_ms=at_ms,
    )
    log.info("%s %s: %d outlet limits ended, %d exceedances closed", event_type, permit_number, ended, closed)
