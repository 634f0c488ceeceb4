"""Evaluation's gRPC servicer: one class made of a part per area of the contract (rpc_*.py), each of
which only translates between protobuf and the service layer."""

from __future__ import annotations

from eco.v1 import evaluation_pb2_grpc
from services.evaluation.entrypoints.rpc_credit import CreditRpcs
from services.evaluation.entrypoints.rpc_figures import FigureRpcs
from services.evaluation.service_layer.unit_of_work import Deps


class EvaluationServicer(CreditRpcs, FigureRpcs, evaluation_pb2_grpc.EvaluationServiceServicer):
    """eco.v1.EvaluationService. The parts come before the generated base, so their methods are the
    ones served."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
