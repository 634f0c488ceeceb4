"""Building and running a service's gRPC server: interceptor, health checking and reflection.

The server is grpc.aio: a stream is a coroutine, so an open stream holds no thread while it waits for
its client (a sync server spends a worker per stream, and idle streams can starve every other call).
Plain servicer methods still run as they are, in the server's worker pool. The event loop has a
thread of its own so the rest of a service (relay, consumers, database) stays ordinary blocking code.
"""

from __future__ import annotations

import asyncio
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

Register = Callable[[grpc.aio.Server], None]


def new_health(service_names: Sequence[str]) -> health.HealthServicer:
    """A health servicer reporting NOT_SERVING for the server and each service until told otherwise."""
    health_servicer = health.HealthServicer(experimental_non_blocking=True)
    for name in ("", *service_names):
        health_servicer.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
    return health_servicer


def build_server(
    *,
    register: Register,
    service_names: Sequence[str],
    grants: Grants,
    audit: AuditWriter | None,
    health_servicer: health.HealthServicer,
    max_workers: int = 32,
    max_connection_age_seconds: float = 600.0,
) -> grpc.aio.Server:
    """A server with the platform interceptor, health checking and reflection; not yet bound or started.

    Call it on the event loop that will run the server (`ServerThread` does)."""
    server = grpc.aio.server(
        migration_thread_pool=futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="grpc"),
        interceptors=[PlatformInterceptor(grants, audit)],
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            # Connections are recycled after a while (with a grace period for what is in flight), so
            # clients re-resolve and spread over replicas, and a forgotten stream does not live for ever.
            ("grpc.max_connection_age_ms", int(max_connection_age_seconds * 1000)),
            ("grpc.max_connection_age_grace_ms", int(max_connection_age_seconds * 100)),
        ],
    )
    register(server)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        (*service_names, health.SERVICE_NAME, reflection.SERVICE_NAME), server
    )
    return server


class ServerThread:
    """An aio server on an event loop of its own thread, started and stopped from blocking code."""

    def __init__(self, build: Callable[[], grpc.aio.Server], address: str, name: str = "grpc-loop") -> None:
        self._build = build
        self._address = address
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._started: futures.Future[int] = futures.Future()
        self._server: grpc.aio.Server | None = None

    def start(self, timeout: float = 30.0) -> int:
        """Build, bind and start the server; the bound port (the address may ask for port 0)."""
        self._thread.start()
        return self._started.result(timeout=timeout)

    def stop(self, grace: float | None = 5.0) -> None:
        """Refuse new calls, give those in flight `grace` seconds, then end the loop and its thread."""
        if self._server is not None and self._loop.is_running():
            stopping = asyncio.run_coroutine_threadsafe(self._server.stop(grace), self._loop)
            stopping.result(timeout=(grace or 0) + 30)
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._serve())
        except BaseException as exc:  # the caller of start() learns why, in its own thread
            self._started.set_exception(exc)
            self._loop.close()
            return
        self._loop.run_forever()
        self._loop.close()

    async def _serve(self) -> None:
        server = self._build()
        port = server.add_insecure_port(self._address)
        if port == 0:
            raise OSError(f"cannot listen on {self._address} (port in use?)")
        await server.start()
        self._server = server
        self._started.set_result(port)


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
