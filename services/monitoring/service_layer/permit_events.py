"""Permit events from the permits service: outlet limits become the thresholds of outlet monitors.

PermitIssued, PermitRenewed and PermitReinstated (a suspension lifted) set the limits of the
permit's outlets; PermitRevoked, PermitExpired and PermitSuspended end them, after which the
outlet's readings are reported as having no valid permit limit, and the exceedances open against
that permit's limits are closed ("permit ended: <status>"), since no reading can clear them any
more. The translation from the permits contract lives at the edge, in entrypoints/messages.py; each
use case joins the consumer's transaction.
"""

from __future__ import annotations

import dataclasses
import logging

from sqlalchemy.engine import Connection

from services.monitoring.adapters import alarms as alarms_repo
from services.monitoring.adapters import repository
from services.monitoring.domain.events import PermitEnded, PermitLimits
from services.monitoring.domain.limits import permit_basis
from services.monitoring.service_layer import recording
from shared.unit_of_work import Deps, Tx, transaction

log = logging.getLogger(__name__)


def set_permit_limits(deps: Deps, conn: Connection, permit: PermitLimits) -> None:
    """Make a permit's outlet limits the thresholds, for the term it carries, replacing what the
    permit set before."""
    with transaction(deps, conn) as tx:
        repository.replace_permit_limits(
            tx.conn, permit_number=permit.permit_number, rows_in=list(permit.limits)
        )


def close_exceedances_of_permit(
    tx: Tx, *, permit_number: str, outlet_ids: list[str], reason: str, at_ms: int
) -> int:
    """Close the open exceedances held to this permit's limits, each with an ExceedanceCleared
    carrying the reason; returns how many closed. Alarm limits set at registration are untouched."""
    closed = 0
    rows = alarms_repo.get_open_exceedances_of_outlets(
        tx.conn, outlet_ids=outlet_ids, limit_basis=permit_basis(permit_number)
    )
    for row in rows:
        stored = repository.get(tx.conn, station_id=row.station_id)
        if stored is None:
            continue
        final = dataclasses.replace(row, cleared_ts=max(at_ms, row.opened_ts), cleared_reason=reason)
        closed += recording.cleared(tx, final, stored.station, ())
    return closed


def end_permit(deps: Deps, conn: Connection, ended: PermitEnded) -> None:
    """A revoked, expired or suspended permit's limits stop applying and its exceedances close."""
    with transaction(deps, conn) as tx:
        outlets = repository.outlets_of_permit(tx.conn, permit_number=ended.permit_number)
        count = repository.delete_permit_limits(tx.conn, permit_number=ended.permit_number)
        closed = close_exceedances_of_permit(
            tx,
            permit_number=ended.permit_number,
            outlet_ids=outlets,
            reason=f"permit ended: {ended.status}",
            at_ms=ended.at_ms,
        )
    log.info(
        "permit %s %s: %d outlet limits ended, %d exceedances closed",
        ended.permit_number,
        ended.status,
        count,
        closed,
    )
