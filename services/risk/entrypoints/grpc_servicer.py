"""Risk's gRPC servicer: one class made of a part per area of the contract (rpc_*.py), each of which
only translates between protobuf and the service layer."""

from __future__ import annotations

from eco.v1 import risk_pb2_grpc
from services.risk.entrypoints.rpc_emergencies import DepotRpcs, DispatchRpcs, EmergencyRpcs
from services.risk.entrypoints.rpc_risk import HazardRpcs, RiskRpcs
from services.risk.entrypoints.rpc_supervision import ManifestRpcs, SourceRpcs
from services.risk.service_layer.unit_of_work import Deps


class RiskServicer(
    RiskRpcs,
    HazardRpcs,
    EmergencyRpcs,
    DepotRpcs,
    DispatchRpcs,
    ManifestRpcs,
    SourceRpcs,
    risk_pb2_grpc.RiskServiceServicer,
):
    """eco.v1.RiskService. The parts come before the generated base, so their methods are the ones served."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
