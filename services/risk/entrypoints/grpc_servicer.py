"""Risk's gRPC layer: enterprise risk levels, hidden hazards, emergencies, supply depots and dispatch.

The methods are implemented by later issues; until then every method answers UNIMPLEMENTED (the
generated base class), so a caller gets a clear status rather than a made-up result."""

from __future__ import annotations

from eco.v1 import risk_pb2_grpc


class RiskServicer(risk_pb2_grpc.RiskServiceServicer):
    """Translates between protobuf and risk's service layer."""
