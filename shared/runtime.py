"""Running one service process: migrate, start background workers, serve gRPC, stop cleanly."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import grpc
from sqlalchemy.engine import Engine

from shared import logs, schema
from shared.db import Migration, make_engine, migrate
from shared.grpc.audit import AuditWriter
from shared.grpc.auth import Grants
from shared.grpc.server import DatabaseHealthWatch, build_server
from shared.outbox import OutboxRelay
from shared.settings import Settings
from shared.topology import GRPC_SERVICE_NAMES

log = logging.getLogger(__name__)


class Background(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...


@dataclass
class ServiceApp:
    """Everything one service process runs; a service's bootstrap builds it, `run` runs it."""

    settings: Settings
    engine: Engine
    relay: OutboxRelay
    migrations: Sequence[Migration]
    register: Callable[[grpc.Server], None]
    background: list[Background] = field(default_factory=list)

    @classmethod
    def base(cls, settings: Settings) -> tuple[Engine, OutboxRelay]:
        """The engine and outbox relay every service starts from."""
        engine = make_engine(settings.database_url)
        relay = OutboxRelay(
            engine,
            settings.kafka_bootstrap_servers,
            client_id=f"{settings.service}-relay",
            poll_seconds=settings.outbox_poll_seconds,
        )
        return engine, relay

    def prepare(self) -> None:
        """Bring the database schema up to date (shared tables first)."""
        migrate(self.engine, [*schema.MIGRATIONS, *self.migrations])


def run(app: ServiceApp) -> None:
    """Serve until SIGTERM or SIGINT, then drain and stop everything in reverse order."""
    settings = app.settings
    logs.configure(settings.service, settings.log_level)
    app.prepare()
    grants = Grants.load(settings.grants_file)
    audit = AuditWriter(app.engine)
    names = [GRPC_SERVICE_NAMES[settings.service]]
    server, health = build_server(register=app.register, service_names=names, grants=grants, audit=audit)
    server.add_insecure_port(settings.grpc_address)
    workers: list[Background] = [audit, app.relay, *app.background, DatabaseHealthWatch(app.engine, health, names)]
    for worker in workers:
        worker.start()
    server.start()
    log.info("%s serving gRPC on %s", settings.service, settings.grpc_address)

    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    stopping.wait()
    log.info("%s stopping", settings.service)
    server.stop(grace=5).wait()
    for worker in reversed(workers):
        worker.stop()
    app.engine.dispose()
