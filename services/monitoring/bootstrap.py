"""Wires monitoring's dependencies into a runnable app."""

from __future__ import annotations

from collections.abc import Callable

import grpc
from sqlalchemy.engine import Engine

from eco.v1 import monitoring_pb2_grpc
from services.monitoring import config as monitoring_config
from services.monitoring.config import MonitoringConfig
from services.monitoring.entrypoints import consumers, messages
from services.monitoring.entrypoints.grpc_servicer import MonitoringServicer
from services.monitoring.migrations import HISTORY
from services.monitoring.service_layer.background import sweep_missing
from services.monitoring.service_layer.context import Context
from services.monitoring.service_layer.daily_aqi import publish_closed_days
from shared.clock import Clock, SystemClock
from shared.periodic import Periodic
from shared.runtime import ServiceApp
from shared.settings import Settings


def make_context(
    engine: Engine, clock: Clock, config: MonitoringConfig, notify: Callable[[], None] = lambda: None
) -> Context:
    """Monitoring's dependency bundle, with its event translation wired (tests build theirs here too)."""
    return Context.build(engine, clock, config, notify, translate=messages.event_message)


class _Loader:
    """Fills the caches once the runtime has migrated the database (workers start after prepare)."""

    def __init__(self, context: Context) -> None:
        self.context = context

    def start(self) -> None:
        """Load stations and permit limits."""
        self.context.load()

    def stop(self) -> None:
        """Nothing to stop."""


def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    config: MonitoringConfig | None = None,
    consume_permits: bool = True,
    permits_group: str | None = None,
) -> ServiceApp:
    """The monitoring service process: servicer, permit consumer, missing-data sweep, daily AQI of
    closed days, limit refresh.

    The permit consumer's group is `permits_group` if given, else ECO_MONITORING_CONSUMER_GROUP.
    """
    clock = clock or SystemClock()
    config = config or monitoring_config.load(settings.env)
    engine, relay = ServiceApp.base(settings)
    context = make_context(engine, clock, config, relay.notify)

    def register(server: grpc.aio.Server) -> None:
        monitoring_pb2_grpc.add_MonitoringServiceServicer_to_server(MonitoringServicer(context), server)

    background: list = [_Loader(context)]
    if consume_permits:
        background.append(
            consumers.build(
                context, settings.kafka_bootstrap_servers, group_id=permits_group or config.consumer_group
            )
        )
    background.append(
        Periodic(
            "missing-data-sweep",
            config.sweep_seconds,
            lambda: sweep_missing(context, context.evaluator),
        )
    )
    background.append(
        Periodic(
            "daily-aqi",
            config.daily_aqi_seconds,
            lambda: publish_closed_days(context, days_back=config.daily_aqi_days_back),
            # At start too: a day that closed while the process was down goes out at once.
            run_first=True,
        )
    )
    background.append(
        Periodic("limits-refresh", config.refresh_seconds, lambda: context.assessor.reload_from(engine))
    )
    app = ServiceApp(
        settings=settings,
        engine=engine,
        relay=relay,
        migrations=HISTORY,
        register=register,
        background=background,
    )
    app.context = context  # type: ignore[attr-defined]
    return app
