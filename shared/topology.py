"""The platform's services and where they listen by default."""

from typing import Final

# One entry per gRPC service: its name (also its Kafka topic's middle part) and default port.
DEFAULT_GRPC_PORTS: Final[dict[str, int]] = {
    "permits": 50051,
    "monitoring": 50052,
    "enforcement": 50053,
    "risk": 50054,
    "evaluation": 50055,
    "codes": 50056,
}

SERVICES: Final[tuple[str, ...]] = tuple(DEFAULT_GRPC_PORTS)

# The full gRPC service name each service registers (health checking reports on it too).
GRPC_SERVICE_NAMES: Final[dict[str, str]] = {
    "permits": "eco.v1.PermitsService",
    "monitoring": "eco.v1.MonitoringService",
    "enforcement": "eco.v1.EnforcementService",
    "risk": "eco.v1.RiskService",
    "evaluation": "eco.v1.EvaluationService",
    "codes": "eco.v1.CodesService",
}


def topic_for(service: str) -> str:
    """The Kafka topic a service publishes its events on."""
    return f"eco.{service}.events"
