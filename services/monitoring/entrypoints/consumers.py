"""Monitoring's event consumer: permit events (event type -> handler table in permit_events.HANDLERS)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from eco.v1 import permits_pb2  # noqa: F401 - registers the permit event types for unpacking
from services.monitoring.service_layer.assessment import Assessor
from services.monitoring.service_layer.background import PermitConsumer
from services.monitoring.service_layer.permit_events import HANDLERS
from shared.topology import topic_for

GROUP_ID = "monitoring"


def permit_consumer(
    engine: Engine, bootstrap_servers: str, assessor: Assessor, *, group_id: str = GROUP_ID
) -> PermitConsumer:
    """The consumer of eco.permits.events that keeps outlet thresholds in step with permits."""
    return PermitConsumer(
        engine,
        bootstrap_servers,
        assessor,
        group_id=group_id,
        topics=[topic_for("permits")],
        handlers=HANDLERS,
    )
