"""Enforcement's gRPC layer: the problem ledger and cases through the closed loop, evidence, grids,
inspectors, double-random inspections and petitions.

The methods are implemented by later issues; until then every method answers UNIMPLEMENTED (the
generated base class), so a caller gets a clear status rather than a made-up result."""

from __future__ import annotations

from eco.v1 import enforcement_pb2_grpc


class EnforcementServicer(enforcement_pb2_grpc.EnforcementServiceServicer):
    """Translates between protobuf and enforcement's service layer."""
