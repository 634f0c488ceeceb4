"""Enforcement's gRPC servicer: one class made of a part per area of the contract (rpc_*.py), each
of which only translates between protobuf and the service layer.

A method no part implements falls through to the generated base and answers UNIMPLEMENTED, a clear
status rather than a made-up result.
"""

from __future__ import annotations

from eco.v1 import enforcement_pb2_grpc
from services.enforcement.entrypoints.rpc_evidence import EvidenceRpcs
from services.enforcement.entrypoints.rpc_grids import GridRpcs
from services.enforcement.entrypoints.rpc_inspections import InspectionRpcs
from services.enforcement.entrypoints.rpc_ledger import LedgerRpcs
from services.enforcement.entrypoints.rpc_petitions import PetitionRpcs
from services.enforcement.service_layer.unit_of_work import Deps


class EnforcementServicer(
    LedgerRpcs,
    EvidenceRpcs,
    GridRpcs,
    InspectionRpcs,
    PetitionRpcs,
    enforcement_pb2_grpc.EnforcementServiceServicer,
):
    """eco.v1.EnforcementService. The parts come before the generated base, so their methods are the
    ones served; a method no part implements falls through to the base's UNIMPLEMENTED."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
