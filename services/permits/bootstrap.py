"""Wires permits' dependencies into a runnable app: servicer, consumer, expiry scheduler."""

from __future__ import annotations

from collections.abc import Callable

import grpc
from sqlalchemy.engine import Engine

from eco.v1 import permits_pb2_grpc
from services.permits import config
from services.permits.entrypoints import consumers, messages
from services.permits.entrypoints.grpc_servicer import PermitsServicer
from services.permits.migrations import HISTORY
from services.permits.service_layer.expiry import expire_due
from services.permits.service_layer.unit_of_work import Deps
from shared.clock import Clock, SystemClock
from shared.periodic import Periodic
from shared.runtime import ServiceApp
from shared.settings import Settings

EXPIRY_WORKER = "permits-expiry"


def make_deps(engine: Engine, *, clock: Clock, notify: Callable[[], None] = lambda: None) -> Deps:
    """Permits' dependency bundle, with its event translation wired (tests build theirs here too)."""
    return Deps(engine=engine, clock=clock, notify=notify, translate=messages.event_message)


def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    expiry_every: float | None = None,
    consumer_group: str | None = None,
) -> ServiceApp:
    """The permits service process: its servicer, enforcement-order consumer and expiry scheduler.

    The expiry period is ECO_PERMITS_EXPIRY_SECONDS from the settings' environment unless given.
    """
    every = expiry_every or config.load(settings.env).expiry_seconds
    engine, relay = ServiceApp.base(settings)
    deps = make_deps(engine, clock=clock or SystemClock(), notify=relay.notify)

    def register(server: grpc.aio.Server) -> None:
        permits_pb2_grpc.add_PermitsServiceServicer_to_server(PermitsServicer(deps), server)

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
            Periodic(EXPIRY_WORKER, every, lambda: expire_due(deps, deps.clock.now()), run_first=True),
        ],
    )
