"""Wires risk's dependencies into a runnable app: servicer, consumer, overdue and stuck workers."""

from __future__ import annotations

from collections.abc import Callable

import grpc
from sqlalchemy.engine import Engine

from eco.v1 import risk_pb2_grpc
from services.risk.entrypoints import consumers, messages
from services.risk.entrypoints.grpc_servicer import RiskServicer
from services.risk.migrations import HISTORY
from services.risk.service_layer import hazards, manifests
from services.risk.service_layer.unit_of_work import Deps
from shared.clock import Clock, SystemClock
from shared.periodic import Periodic
from shared.runtime import ServiceApp
from shared.settings import Settings

DEFAULT_SWEEP_SECONDS = 60.0
OVERDUE_WORKER = "risk-overdue"


def make_deps(
    engine: Engine, *, clock: Clock, notify: Callable[[], None] = lambda: None, **local: object
) -> Deps:
    """Risk's dependency bundle, with its event translation wired (tests build theirs here too)."""
    return Deps(engine=engine, clock=clock, notify=notify, translate=messages.event_message, **local)  # type: ignore[arg-type]


def sweep(deps: Deps) -> int:
    """One pass of the periodic worker: hazards past their deadline, manifests stuck past theirs."""
    return hazards.mark_overdue(deps) + manifests.mark_stuck(deps)


def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    sweep_every: float = DEFAULT_SWEEP_SECONDS,
    consumer_group: str | None = None,
) -> ServiceApp:
    """The risk service process: its servicer, the registry/exceedance/penalty consumer, the sweep."""
    engine, relay = ServiceApp.base(settings)
    deps = make_deps(engine, clock=clock or SystemClock(), notify=relay.notify)

    def register(server: grpc.aio.Server) -> None:
        risk_pb2_grpc.add_RiskServiceServicer_to_server(RiskServicer(deps), server)

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
            Periodic(OVERDUE_WORKER, sweep_every, lambda: sweep(deps), run_first=True),
        ],
    )
