"""The servers the benchmark streams into: the real monitoring service and a no-op one."""

from __future__ import annotations

import cProfile
import pstats
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import grpc

from eco.v1 import monitoring_pb2, monitoring_pb2_grpc
from services.monitoring.bootstrap import build
from services.monitoring.entrypoints.grpc_servicer import MonitoringServicer
from services.monitoring.service_layer.ingest import BatchResult
from shared import settings as shared_settings
from shared.grpc.auth import Grants
from shared.grpc.server import ServerThread, build_server, new_health
from shared.runtime import RunningService, start
from tests.support import infra


def start_monitoring(database_url: str, run_dir: Path) -> RunningService:
    """The monitoring service in this process on a free port, against real PostgreSQL and Kafka."""
    env = infra.service_env(database_url=database_url, run_dir=run_dir)
    env["ECO_MONITORING_DATABASE_URL"] = database_url
    env["ECO_MONITORING_GRPC_PORT"] = "0"
    env["ECO_LOG_LEVEL"] = "WARNING"
    return start(build(shared_settings.load("monitoring", env)))


class NoopServicer(monitoring_pb2_grpc.MonitoringServiceServicer):
    """Receives the same stream and only counts it: the floor of gRPC and protobuf costs."""

    async def StreamReadings(
        self, request_iterator: AsyncIterator[monitoring_pb2.ReadingBatch], context: grpc.aio.ServicerContext
    ) -> monitoring_pb2.IngestSummary:
        """Count readings and batches."""
        summary = monitoring_pb2.IngestSummary()
        async for batch in request_iterator:
            summary.batches += 1
            summary.received += len(batch.readings)
        summary.accepted = summary.received
        return summary


def start_noop() -> tuple[ServerThread, str]:
    """The no-op servicer behind the same interceptor (auth, audit off) as a real service."""
    names = ["eco.v1.MonitoringService"]
    server = ServerThread(
        lambda: build_server(
            register=lambda s: monitoring_pb2_grpc.add_MonitoringServiceServicer_to_server(NoopServicer(), s),  # type: ignore[abstract]
            service_names=names,
            grants=Grants.load(infra.GRANTS_FILE),
            audit=None,
            health_servicer=new_health(names),
        ),
        "127.0.0.1:0",
    )
    port = server.start()
    return server, f"127.0.0.1:{port}"


class ProfiledStreams:
    """Profiles the ingestion of every streamed batch, per worker thread (cProfile follows one thread)."""

    def __init__(self) -> None:
        self.original = MonitoringServicer.ingest_batch
        self.profiles: list[cProfile.Profile] = []
        self._lock = threading.Lock()
        self._mine = threading.local()

    def __enter__(self) -> ProfiledStreams:
        original = self.original

        def profiled(servicer: MonitoringServicer, batch: monitoring_pb2.ReadingBatch) -> BatchResult:
            profile = self._profile_of_this_thread()
            profile.enable()
            try:
                return original(servicer, batch)
            finally:
                profile.disable()

        MonitoringServicer.ingest_batch = profiled  # type: ignore[method-assign,assignment]
        return self

    def _profile_of_this_thread(self) -> cProfile.Profile:
        profile: cProfile.Profile | None = getattr(self._mine, "profile", None)
        if profile is None:
            profile = self._mine.profile = cProfile.Profile()
            with self._lock:
                self.profiles.append(profile)
        return profile

    def __exit__(self, *exc: object) -> None:
        MonitoringServicer.ingest_batch = self.original  # type: ignore[method-assign]

    def stats(self) -> pstats.Stats | None:
        """The merged statistics of every profiled thread."""
        if not self.profiles:
            return None
        merged = pstats.Stats(self.profiles[0])
        for p in self.profiles[1:]:
            merged.add(p)
        return merged
