"""Wires evaluation's dependencies into a runnable app."""

from __future__ import annotations

import grpc

from eco.v1 import evaluation_pb2_grpc
from services.evaluation.adapters.tables import MIGRATIONS
from services.evaluation.entrypoints.grpc_servicer import EvaluationServicer
from shared.runtime import ServiceApp
from shared.settings import Settings


def build(settings: Settings) -> ServiceApp:
    """The evaluation service process: its servicer on the shared runtime."""
    engine, relay = ServiceApp.base(settings)

    def register(server: grpc.aio.Server) -> None:
        # The generated stubs mark every method abstract; until the read models exist, the base
        # class's UNIMPLEMENTED answer is the honest one.
        servicer = EvaluationServicer()  # type: ignore[abstract]
        evaluation_pb2_grpc.add_EvaluationServiceServicer_to_server(servicer, server)

    return ServiceApp(settings=settings, engine=engine, relay=relay, migrations=MIGRATIONS, register=register)
