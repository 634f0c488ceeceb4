"""A real in-process gRPC server behind the platform's interceptor, with its audit records kept in
a list: the harness of the interceptor tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import grpc

from shared.grpc.audit import AuditRecord
from shared.grpc.auth import Grants
from shared.grpc.server import ServerThread, build_server, new_health


class RecordedAudit:
    """An audit sink that keeps what it is given."""

    def __init__(self) -> None:
        self.records: list[AuditRecord] = []

    def record(self, entry: AuditRecord) -> None:
        """Keep one audit record."""
        self.records.append(entry)


@contextmanager
def serving(
    register: Callable[[grpc.aio.Server], None], service: str, grants: Grants
) -> Iterator[tuple[grpc.Channel, RecordedAudit]]:
    """A channel to a two-worker server with `register`'s handlers, and its audit."""
    audit = RecordedAudit()
    server = ServerThread(
        lambda: build_server(
            register=register,
            service_names=[service],
            grants=grants,
            audit=audit,  # type: ignore[arg-type]
            health_servicer=new_health([service]),
            max_workers=2,
        ),
        "127.0.0.1:0",
    )
    port = server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield channel, audit
    finally:
        channel.close()
        server.stop(grace=0)
