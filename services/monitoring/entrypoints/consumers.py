"""Monitoring's event consumer: permit events, each translated at the edge (entrypoints/messages.py)
to domain values and applied by service_layer/permit_events.py; the table event type -> handler is
`handlers(ctx)`."""

from __future__ import annotations

from collections.abc import Mapping

from google.protobuf.message import Message
from sqlalchemy.engine import Connection, Engine

from eco.v1 import events_pb2
from services.monitoring.entrypoints import messages
from services.monitoring.service_layer import permit_events
from services.monitoring.service_layer.assessment import Assessor
from services.monitoring.service_layer.context import Context
from services.monitoring.service_layer.evaluator import Evaluator
from shared import events
from shared.consumer import EventConsumer, Handler
from shared.topology import topic_for

TOPICS = [topic_for("permits")]


def handlers(ctx: Context) -> Mapping[str, Handler]:
    """Event type -> handler, each running in the consumer's dedup transaction."""

    def on_permit_with_limits(
        conn: Connection, _envelope: events_pb2.EventEnvelope, payload: Message
    ) -> None:
        # PermitIssued, PermitRenewed, PermitReinstated: the limits the event carries become thresholds.
        permit_events.set_permit_limits(ctx, conn, messages.permit_limits(payload))

    def on_permit_ended(conn: Connection, envelope: events_pb2.EventEnvelope, payload: Message) -> None:
        # PermitRevoked, PermitExpired, PermitSuspended: the permit's limits end, its exceedances close.
        permit_events.end_permit(ctx, conn, messages.permit_ended(envelope, payload))

    return {
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


def build(ctx: Context, bootstrap_servers: str, *, group_id: str) -> PermitConsumer:
    """The consumer of eco.permits.events that keeps outlet thresholds in step with permits."""
    return PermitConsumer(
        ctx.engine,
        bootstrap_servers,
        ctx.assessor,
        ctx.evaluator,
        group_id=group_id,
        topics=TOPICS,
        handlers=handlers(ctx),
    )
