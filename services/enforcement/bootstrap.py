"""Wires enforcement's dependencies into a runnable app."""

from __future__ import annotations

import grpc

from eco.v1 import enforcement_pb2_grpc
from services.enforcement.adapters.tables import MIGRATIONS
from services.enforcement.entrypoints.grpc_servicer import EnforcementServicer
from shared.runtime import ServiceApp
from shared.settings import Settings


def build(settings: Settings) -> ServiceApp:
    """The enforcement service process: its servicer on the shared runtime."""
    engine, relay = ServiceApp.base(settings)

    def register(server: grpc.aio.Server) -> None:
        # The generated type stubs mark every method abstract; until a method's issue implements
        # it, the base class's UNIMPLEMENTED answer is the intended behaviour.
        servicer = EnforcementServicer()  # type: ignore[abstract]
        enforcement_pb2_grpc.add_EnforcementServiceServicer_to_server(servicer, server)

    return ServiceApp(settings=settings, engine=engine, relay=relay, migrations=MIGRATIONS, register=register)
