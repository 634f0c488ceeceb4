"""Wires risk's dependencies into a runnable app."""

from __future__ import annotations

import grpc

from eco.v1 import risk_pb2_grpc
from services.risk.adapters.tables import MIGRATIONS
from services.risk.entrypoints.grpc_servicer import RiskServicer
from shared.runtime import ServiceApp
from shared.settings import Settings


def build(settings: Settings) -> ServiceApp:
    """The risk service process: its servicer on the shared runtime."""
    engine, relay = ServiceApp.base(settings)

    def register(server: grpc.aio.Server) -> None:
        # The generated type stubs mark every method abstract; until a method's issue implements
        # it, the base class's UNIMPLEMENTED answer is the intended behaviour.
        servicer = RiskServicer()  # type: ignore[abstract]
        risk_pb2_grpc.add_RiskServiceServicer_to_server(servicer, server)

    return ServiceApp(settings=settings, engine=engine, relay=relay, migrations=MIGRATIONS, register=register)
