"""Running one service process: migrate, start background workers, serve gRPC, stop cleanly."""

from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.engine import Engine

from shared import logs
from shared.db import make_engine
from shared.grpc.audit import AuditWriter
from shared.grpc.auth import Grants
from shared.grpc.server import DatabaseHealthWatch, Register, ServerThread, build_server, new_health
from shared.migrations import History, upgrade
from shared.outbox import OutboxRelay
from shared.settings import Settings
from shared.topics import ensure_topics_or_warn
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
    migrations: History
    register: Register
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
            listening_poll_seconds=settings.outbox_listening_poll_seconds,
        )
        return engine, relay

    def prepare(self) -> None:
        """Bring the database schema up to the newest revision (shared tables and the service's own)."""
        upgrade(self.engine, self.migrations)


class RunningService:
    """A started service: its gRPC server and workers, until `stop()`."""

    def __init__(self, app: ServiceApp, server: ServerThread, port: int, workers: list[Background]) -> None:
        self.app = app
        self.server = server
        self.port = port
        self.workers = workers

    @property
    def address(self) -> str:
        return f"{self.app.settings.grpc_host}:{self.port}"

    def stop(self, grace: float = 5.0) -> None:
        """Stop accepting calls, finish those in flight, then stop the workers in reverse order."""
        self.server.stop(grace=grace)
        for worker in reversed(self.workers):
            worker.stop()
        self.app.engine.dispose()


def start(app: ServiceApp) -> RunningService:
    """Migrate, start the workers and serve gRPC (port 0 in the settings picks a free port)."""
    settings = app.settings
    app.prepare()
    # In the background: a service must serve (and keep its outbox) while Kafka is away.
    threading.Thread(
        target=ensure_topics_or_warn, args=(settings.kafka_bootstrap_servers,), name="topics", daemon=True
    ).start()
    grants = Grants.load(settings.grants_file)
    audit = AuditWriter(app.engine)
    names = [GRPC_SERVICE_NAMES[settings.service]]
    health = new_health(names)
    server = ServerThread(
        lambda: build_server(
            register=app.register,
            service_names=names,
            grants=grants,
            audit=audit,
            health_servicer=health,
            max_workers=settings.grpc_workers,
            max_connection_age_seconds=settings.grpc_max_connection_age_seconds,
        ),
        settings.grpc_address,
        name=f"{settings.service}-grpc",
    )
    workers: list[Background] = [
        audit,
        app.relay,
        *app.background,
        DatabaseHealthWatch(app.engine, health, names),
    ]
    for worker in workers:
        worker.start()
    try:
        port = server.start()
    except (OSError, RuntimeError) as exc:
        for worker in reversed(workers):
            worker.stop()
        raise SystemExit(f"{settings.service}: cannot serve gRPC on {settings.grpc_address}: {exc}") from exc
    log.info("%s serving gRPC on %s:%s", settings.service, settings.grpc_host, port)
    return RunningService(app, server, port, workers)


def run(app: ServiceApp) -> None:
    """Serve until SIGTERM or SIGINT, then drain and stop everything in reverse order."""
    logs.configure(app.settings.service, app.settings.log_level)
    running = start(app)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    stopping.wait()
    log.info("%s stopping", app.settings.service)
    running.stop()
