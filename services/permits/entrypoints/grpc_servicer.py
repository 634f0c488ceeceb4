"""Permits' gRPC servicer: one class made of a part per area of the contract (rpc_*.py), each of
which only translates between protobuf and the service layer."""

from __future__ import annotations

from eco.v1 import permits_pb2_grpc
from services.permits.entrypoints.rpc_approvals import EiaRpcs, RadiationRpcs
from services.permits.entrypoints.rpc_permits import PermitRpcs
from services.permits.entrypoints.rpc_registry import RegistryRpcs
from services.permits.entrypoints.rpc_rights import RightsRpcs
from services.permits.service_layer.unit_of_work import Deps


class PermitsServicer(
    RegistryRpcs,
    PermitRpcs,
    EiaRpcs,
    RadiationRpcs,
    RightsRpcs,
    permits_pb2_grpc.PermitsServiceServicer,
):
    """eco.v1.PermitsService. The parts come before the generated base, so their methods are the ones
    served; a method no part implements falls through to the base's UNIMPLEMENTED."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
