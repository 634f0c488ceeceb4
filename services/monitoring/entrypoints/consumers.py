"""Monitoring's event consumer: permit events (event type -> handler table in permit_events.HANDLERS)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.engine import Engine

from eco.v1 import permits_pb2  # noqa: F401 - registers the permit event types for unpacking
from services.monitoring.service_layer.assessment import Assessor
from services.monitoring.service_layer.evaluator import Evaluator
from services.monitoring.service_layer.permit_events import HANDLERS
from shared import events
from shared.consumer import EventConsumer, Handler
from shared.topology import topic_for


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
