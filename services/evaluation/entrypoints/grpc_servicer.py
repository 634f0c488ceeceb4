"""Evaluation's gRPC layer. The read models are the subject of a later issue: until then every
method answers UNIMPLEMENTED (the generated base class), which callers can tell from an empty result."""

from __future__ import annotations

from eco.v1 import evaluation_pb2_grpc


class EvaluationServicer(evaluation_pb2_grpc.EvaluationServiceServicer):
    """Translates between protobuf and evaluation's service layer."""
