"""Wires enforcement's dependencies into a runnable app: servicer, consumer, escalation worker."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import grpc
from google.protobuf.message import Message
from sqlalchemy.engine import Engine

from eco.v1 import enforcement_pb2_grpc
from services.enforcement import config as enforcement_config
from services.enforcement.adapters import data_files
from services.enforcement.adapters.content_store import ContentStore, FileStore
from services.enforcement.adapters.monitoring_client import MonitoringReadings
from services.enforcement.adapters.s3_store import S3Store
from services.enforcement.entrypoints import (
    consumers,
    inspection_messages,
    messages,
    petition_messages,
    target_consumers,
)
from services.enforcement.entrypoints.grpc_servicer import EnforcementServicer
from services.enforcement.migrations import HISTORY
from services.enforcement.service_layer import petitions
from services.enforcement.service_layer.escalation import escalate_overdue
from services.enforcement.service_layer.rectification import announce_overdue
from services.enforcement.service_layer.unit_of_work import Deps, MovementReader, no_movements
from shared.clock import Clock, SystemClock
from shared.periodic import Periodic
from shared.runtime import ServiceApp
from shared.settings import Settings

ESCALATION_WORKER = "enforcement-escalation"
RECTIFICATION_WORKER = "enforcement-rectification"
PETITIONS_WORKER = "enforcement-petitions"
# The translation tables of the inspection and petition halves, beside the ledger's (messages.py).
_EXTRA_EVENTS = {**inspection_messages.EVENTS, **petition_messages.EVENTS}


def event_message(event: object) -> Message:
    """The contract message of any enforcement domain event (Deps.translate)."""
    build = _EXTRA_EVENTS.get(type(event))
    return build(event) if build else messages.event_message(event)


def make_deps(
    engine: Engine,
    *,
    clock: Clock,
    store: ContentStore,
    notify: Callable[[], None] = lambda: None,
    movements: MovementReader = no_movements,
    rivers_file: Path | None = None,
    trace_max_m: float = 20_000.0,
    trace_window_hours: int = 6,
) -> Deps:
    """Enforcement's dependency bundle, with its event translation wired (tests build theirs here too)."""
    return Deps(
        engine=engine,
        clock=clock,
        notify=notify,
        translate=event_message,
        store=store,
        rivers=data_files.rivers(rivers_file),
        movements=movements,
        trace_max_m=trace_max_m,
        trace_window_hours=trace_window_hours,
    )


def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    escalation_every: float | None = None,
    consumer_group: str | None = None,
) -> ServiceApp:
    """The enforcement service process: its servicer, alarm consumer and escalation worker."""
    cfg = enforcement_config.load(settings.env, settings.run_dir)
    engine, relay = ServiceApp.base(settings)
    deps = make_deps(
        engine,
        clock=clock or SystemClock(),
        store=S3Store(cfg.evidence_s3) if cfg.evidence_s3 else FileStore(cfg.evidence_dir),
        notify=relay.notify,
        movements=MonitoringReadings(cfg.monitoring_address, cfg.service_token),
        rivers_file=cfg.rivers_file,
        trace_max_m=cfg.trace_max_m,
        trace_window_hours=cfg.trace_window_hours,
    )

    def register(server: grpc.aio.Server) -> None:
        # The generated stubs mark every method abstract; the inspection and petition methods (not yet
        # implemented) answer the base class's UNIMPLEMENTED, as intended.
        servicer = EnforcementServicer(deps)  # type: ignore[abstract]
        enforcement_pb2_grpc.add_EnforcementServiceServicer_to_server(servicer, server)

    every = escalation_every if escalation_every is not None else cfg.escalation_seconds
    return ServiceApp(
        settings=settings,
        engine=engine,
        relay=relay,
        migrations=HISTORY,
        register=register,
        background=[
            consumers.build(
                deps, settings.kafka_bootstrap_servers, group_id=consumer_group or settings.consumer_group
            ),
            target_consumers.build(
                deps,
                settings.kafka_bootstrap_servers,
                group_id=target_consumers.group_for(consumer_group or settings.consumer_group),
            ),
            Periodic(ESCALATION_WORKER, every, lambda: escalate_overdue(deps)),
            Periodic(RECTIFICATION_WORKER, every, lambda: announce_overdue(deps)),
            Periodic(PETITIONS_WORKER, every, lambda: petitions.periodic(deps)),
        ],
    )
