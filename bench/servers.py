"""The servers the benchmark streams into: the real monitoring service and a no-op one."""

from __future__ import annotations

import cProfile
import pstats
import threading
from collections.abc import Iterator
from pathlib import Path

import grpc

from eco.v1 import monitoring_pb2, monitoring_pb2_grpc
from services.monitoring.bootstrap import build
from services.monitoring.entrypoints.grpc_servicer import MonitoringServicer
from shared import settings as shared_settings
from shared.grpc.auth import Grants
from shared.grpc.server import build_server
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

    def StreamReadings(
        self, request_iterator: Iterator[monitoring_pb2.ReadingBatch], context: grpc.ServicerContext
    ) -> monitoring_pb2.IngestSummary:
        """Count readings and batches."""
        summary = monitoring_pb2.IngestSummary()
        for batch in request_iterator:
            summary.batches += 1
            summary.received += len(batch.readings)
        summary.accepted = summary.received
        return summary


def start_noop() -> tuple[grpc.Server, str]:
    """The no-op servicer behind the same interceptor (auth, audit off) as a real service."""
    server, _ = build_server(
        register=lambda s: monitoring_pb2_grpc.add_MonitoringServiceServicer_to_server(NoopServicer(), s),  # type: ignore[abstract]
        service_names=["eco.v1.MonitoringService"],
        grants=Grants.load(infra.GRANTS_FILE),
        audit=None,
    )
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, f"127.0.0.1:{port}"


class ProfiledStreams:
    """Profiles every StreamReadings call (cProfile follows one thread, and each stream has its own)."""

    def __init__(self) -> None:
        self.original = MonitoringServicer.StreamReadings
        self.profiles: list[cProfile.Profile] = []
        self._lock = threading.Lock()

    def __enter__(self) -> ProfiledStreams:
        original = self.original
        profiles, lock = self.profiles, self._lock

        def profiled(
            servicer: MonitoringServicer,
            request_iterator: Iterator[monitoring_pb2.ReadingBatch],
            context: grpc.ServicerContext,
        ) -> monitoring_pb2.IngestSummary:
            profile = cProfile.Profile()
            with lock:
                profiles.append(profile)
            profile.enable()
            try:
                return original(servicer, request_iterator, context)
            finally:
                profile.disable()

        MonitoringServicer.StreamReadings = profiled  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        MonitoringServicer.StreamReadings = self.original  # type: ignore[method-assign,assignment]

    def stats(self) -> pstats.Stats | None:
        """The merged statistics of every profiled stream."""
        if not self.profiles:
            return None
        merged = pstats.Stats(self.profiles[0])
        for p in self.profiles[1:]:
            merged.add(p)
        return merged
