"""Enforcement's event consumer: the event types it handles, each mapped to its use case.

Monitoring's alarms and risk's overdue hazards and hazardous-waste manifests open (or are appended
to) problems; permits' and monitoring's registry events keep the outlets read model source tracing
needs. Each handler runs in the consumer's dedup
transaction, and problems also claim their event id, so a redelivered event changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from google.protobuf.message import Message
from sqlalchemy.engine import Connection

from eco.v1 import events_pb2, monitoring_pb2, permits_pb2, risk_pb2
from services.enforcement.domain.problem import Source
from services.enforcement.domain.values import GeoPoint
from services.enforcement.entrypoints import messages, risk_alarms
from services.enforcement.service_layer import outlets, problems
from services.enforcement.service_layer.unit_of_work import Deps
from shared.consumer import EventConsumer, Handler
from shared.topology import topic_for

TOPICS = [topic_for("monitoring"), topic_for("permits"), topic_for("risk")]
GROUP_ID = "enforcement"
Envelope = events_pb2.EventEnvelope


def handlers(deps: Deps) -> Mapping[str, Handler]:
    """Event type -> handler."""

    def on_exceedance(conn: Connection, envelope: Envelope, payload: Message) -> None:
        assert isinstance(payload, monitoring_pb2.ExceedanceDetected)
        problem, river, evidence = messages.exceedance_alarm(payload, envelope.event_id)
        problems.alarm(deps, conn, problem, river=river, evidence=evidence)

    def on_cleared(conn: Connection, envelope: Envelope, payload: Message) -> None:
        assert isinstance(payload, monitoring_pb2.ExceedanceCleared)
        subject, note = messages.exceedance_cleared(payload)
        at = envelope.occurred_at.ToDatetime(tzinfo=messages.UTC)
        problems.cleared(
            deps,
            conn,
            source=Source.EXCEEDANCE,
            source_ref=envelope.event_id,
            subject=subject,
            note=note,
            at=at,
        )

    def on_fault(conn: Connection, envelope: Envelope, payload: Message) -> None:
        assert isinstance(payload, monitoring_pb2.DeviceFault)
        problem, evidence = messages.fault_alarm(payload, envelope.event_id)
        problems.alarm(deps, conn, problem, evidence=evidence)

    def on_idle(conn: Connection, envelope: Envelope, payload: Message) -> None:
        assert isinstance(payload, monitoring_pb2.TreatmentIdleWhileProducing)
        problem, evidence = messages.idle_alarm(payload, envelope.event_id)
        problems.alarm(deps, conn, problem, evidence=evidence)

    def on_station(conn: Connection, _envelope: Envelope, payload: Message) -> None:
        assert isinstance(payload, monitoring_pb2.StationRegistered)
        s = payload.station
        if s.WhichOneof("details") == "source" and s.source.outlet_id:
            outlets.monitor_registered(
                conn, outlet_id=s.source.outlet_id, uscc=s.source.uscc, station_id=s.station_id
            )

    def on_outlet(conn: Connection, _envelope: Envelope, payload: Message) -> None:
        assert isinstance(payload, permits_pb2.OutletAdded)
        o = payload.outlet
        kind = permits_pb2.OutletKind.Name(o.kind).removeprefix("OUTLET_KIND_").lower()
        where = GeoPoint(o.location.lat, o.location.lon)
        outlets.outlet_added(
            conn, outlet_id=o.outlet_id, uscc=o.uscc, kind=kind, river=o.receiving_river, location=where
        )

    def on_permit(conn: Connection, _envelope: Envelope, payload: Message) -> None:
        assert isinstance(payload, permits_pb2.PermitIssued | permits_pb2.PermitRenewed)
        outlets.permit_limits(conn, uscc=payload.uscc, limits=messages.permit_limits(list(payload.outlets)))

    def on_hazard(conn: Connection, envelope: Envelope, payload: Message) -> None:
        assert isinstance(payload, risk_pb2.HazardOverdue)
        problem, evidence = risk_alarms.hazard_overdue(payload, envelope.event_id)
        problems.alarm(deps, conn, problem, evidence=evidence)

    def on_manifest(conn: Connection, envelope: Envelope, payload: Message) -> None:
        at = envelope.occurred_at.ToDatetime(tzinfo=messages.UTC)
        if isinstance(payload, risk_pb2.ManifestMismatch):
            problem, evidence = risk_alarms.manifest_mismatch(payload, envelope.event_id, at)
        else:
            assert isinstance(payload, risk_pb2.ManifestStuck)
            problem, evidence = risk_alarms.manifest_stuck(payload, envelope.event_id, at)
        problems.alarm(deps, conn, problem, evidence=evidence)

    return {
        "ExceedanceDetected": on_exceedance,
        "ExceedanceCleared": on_cleared,
        "DeviceFault": on_fault,
        "TreatmentIdleWhileProducing": on_idle,
        "StationRegistered": on_station,
        "OutletAdded": on_outlet,
        "PermitIssued": on_permit,
        "PermitRenewed": on_permit,
        "HazardOverdue": on_hazard,
        "ManifestMismatch": on_manifest,
        "ManifestStuck": on_manifest,
    }


def build(deps: Deps, bootstrap_servers: str, *, group_id: str = GROUP_ID) -> EventConsumer:
    """The consumer of monitoring's, permits' and risk's events."""
    return EventConsumer(
        deps.engine, bootstrap_servers, group_id=group_id, topics=TOPICS, handlers=handlers(deps)
    )
