"""Monitoring's event consumer: permit events, each translated here to domain values (the event type
-> handler table HANDLERS) and applied by service_layer/permit_events.py."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import date

from google.protobuf.message import Message
from sqlalchemy.engine import Connection, Engine

from eco.v1 import common_pb2, events_pb2, permits_pb2
from services.monitoring.adapters.repository import OutletLimitRow
from services.monitoring.domain.parameters import normalise_unit
from services.monitoring.service_layer import permit_events
from services.monitoring.service_layer.assessment import Assessor
from services.monitoring.service_layer.evaluator import Evaluator
from shared import events
from shared.consumer import EventConsumer, Handler
from shared.topology import topic_for

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


def on_permit_with_limits(conn: Connection, envelope: events_pb2.EventEnvelope, payload: Message) -> None:
    """PermitIssued, PermitRenewed, PermitReinstated: the limits the event carries become thresholds."""
    assert isinstance(payload, PermitWithLimits)
    rows = limits_from_permit(
        uscc=payload.uscc,
        permit_number=payload.permit_number,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        outlets=payload.outlets,
    )
    permit_events.set_permit_limits(conn, permit_number=payload.permit_number, rows=rows)


def on_permit_ended(conn: Connection, envelope: events_pb2.EventEnvelope, payload: Message) -> None:
    """PermitRevoked, PermitExpired, PermitSuspended: the permit's limits end, its exceedances close."""
    permit_events.end_permit(
        conn,
        permit_number=getattr(payload, "permit_number", ""),
        event_type=envelope.type,
        at_ms=envelope.occurred_at.ToMilliseconds(),
    )


HANDLERS: dict[str, Handler] = {
    "PermitIssued": on_permit_with_limits,
    "PermitRenewed": on_permit_with_limits,
    "PermitReinstated": on_permit_with_limits,
    "PermitRevoked": on_permit_ended,
    "PermitExpired": on_permit_ended,
    "PermitSuspended": on_permit_ended,
}


class PermitConsumer(EventConsumer):
    """The permit-event consumer; after each committed event the in-memory limits are re-read, and
    the rule state of the enterprise's outlet monitors is dropped, to be rebuilt from the database
    (a permit's end may have closed their exceedances)."""

    def __init__(
        self,
        engine: Engine,
        bootstrap_servers: str,
        assessor: Assessor,
        evaluator: Evaluator,
        *,
        group_id: str,
        topics: list[str],
        handlers: Mapping[str, Handler],
    ) -> None:
        super().__init__(engine, bootstrap_servers, group_id=group_id, topics=topics, handlers=handlers)
        self.assessor = assessor
        self.evaluator = evaluator

    def handle_raw(self, raw: bytes) -> bool:
        """Apply the event once, holding the enterprise's monitors still, then refresh the caches."""
        envelope = events.decode(raw)
        if envelope.type not in self.handlers:
            return super().handle_raw(raw)
        uscc = getattr(events.unpack(envelope), "uscc", "") or envelope.subject_id
        monitors = self.evaluator.catalog.outlet_monitors(uscc)
        # No batch of these stations runs meanwhile, so none works on state the event changes.
        with self.evaluator.locks.hold(s.station_id for s in monitors):
            handled = super().handle_raw(raw)
            if handled:
                self.assessor.reload_from(self.engine)
                series = [
                    info.series_id
                    for s in monitors
                    for p in s.parameters
                    if (info := self.evaluator.catalog.series(s.station_id, p.code)) is not None
                ]
                self.evaluator.forget(series, [])
        return handled


def permit_consumer(
    engine: Engine, bootstrap_servers: str, assessor: Assessor, evaluator: Evaluator, *, group_id: str
) -> PermitConsumer:
    """The consumer of eco.permits.events that keeps outlet thresholds in step with permits."""
    return PermitConsumer(
        engine,
        bootstrap_servers,
        assessor,
        evaluator,
        group_id=group_id,
        topics=[topic_for("permits")],
        handlers=HANDLERS,
    )
