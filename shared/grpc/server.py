"""Building a service's gRPC server: interceptor, health checking and reflection, one way for all."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent import futures

import grpc
import sqlalchemy as sa
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from sqlalchemy.engine import Engine

from shared.grpc.audit import AuditWriter
from shared.grpc.auth import Grants
from shared.grpc.interceptor import PlatformInterceptor

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 32 * 1024 * 1024


def build_server(
    *,
    register: Callable[[grpc.Server], None],
    service_names: Sequence[str],
    grants: Grants,
    audit: AuditWriter | None,
    max_workers: int = 32,
    stream_slots: int | None = None,
    max_connection_age_seconds: float = 600.0,
) -> tuple[grpc.Server, health.HealthServicer]:
    """A server with the platform interceptor, health checking and reflection; not yet bound or started."""
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="grpc"),
        interceptors=[PlatformInterceptor(grants, audit, stream_slots)],
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            # A sync server spends a thread per open stream: connections are recycled after a while
            # (with a grace period for what is in flight), so a forgotten or idle stream cannot hold
            # a worker for ever; clients reconnect transparently.
            ("grpc.max_connection_age_ms", int(max_connection_age_seconds * 1000)),
            ("grpc.max_connection_age_grace_ms", int(max_connection_age_seconds * 100)),
        ],
    )
    register(server)
    health_servicer = health.HealthServicer(experimental_non_blocking=True)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        (*service_names, health.SERVICE_NAME, reflection.SERVICE_NAME), server
    )
    for name in ("", *service_names):
        health_servicer.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
    return server, health_servicer


class DatabaseHealthWatch:
    """Reports SERVING while the service's database answers, NOT_SERVING while it does not."""

    def __init__(
        self, engine: Engine, health_servicer: health.HealthServicer, names: Sequence[str], every: float = 5.0
    ) -> None:
        self.engine = engine
        self.health = health_servicer
        self.names = ("", *names)
        self.every = every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            ok = True
        except Exception as exc:
            log.warning("database health check failed: %s", exc)
            ok = False
        status = health_pb2.HealthCheckResponse.SERVING if ok else health_pb2.HealthCheckResponse.NOT_SERVING
        for name in self.names:
            self.health.set(name, status)
        return ok

    def start(self) -> None:
        self.check()
        self._thread = threading.Thread(target=self._loop, name="db-health", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self.check()

    def stop(self) -> None:
        self._stop.set()
        for name in self.names:
            self.health.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
