"""The gateway's gRPC clients: one channel per service, a typed stub for each service it calls, and
the metadata (department token; the trace id is added by shared.grpc.client) each call carries."""

from __future__ import annotations

import grpc

from eco.v1 import (
    codes_pb2,
    codes_pb2_grpc,
    enforcement_pb2_grpc,
    evaluation_pb2_grpc,
    monitoring_pb2_grpc,
    permits_pb2_grpc,
    risk_pb2_grpc,
)
from gateway.config import GatewaySettings
from shared.grpc.client import call_metadata, channel

SCAN_BATCH_TIMEOUT = 5.0


class ServiceClients:
    """Channels to every service, and the stubs of those the gateway calls."""

    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        self.channels: dict[str, grpc.Channel] = {
            name: channel(address) for name, address in settings.service_addresses.items()
        }
        # Stubs are thin (a channel and method paths): made once, shared by every request.
        self.codes = codes_pb2_grpc.CodesServiceStub(self.channels["codes"])
        self.permits = permits_pb2_grpc.PermitsServiceStub(self.channels["permits"])
        self.enforcement = enforcement_pb2_grpc.EnforcementServiceStub(self.channels["enforcement"])
        self.monitoring = monitoring_pb2_grpc.MonitoringServiceStub(self.channels["monitoring"])
        self.evaluation = evaluation_pb2_grpc.EvaluationServiceStub(self.channels["evaluation"])
        self.risk = risk_pb2_grpc.RiskServiceStub(self.channels["risk"])

    def metadata(self) -> tuple[tuple[str, str], ...]:
        """The metadata of a call on the gateway's behalf (its department token)."""
        return call_metadata(self.settings.service_token)

    def record_scans(self, batch: codes_pb2.RecordScansRequest) -> codes_pb2.RecordScansResponse:
        """Send a batch of scans counted by the gateway to the code service."""
        answer: codes_pb2.RecordScansResponse = self.codes.RecordScans(
            batch, metadata=self.metadata(), timeout=SCAN_BATCH_TIMEOUT
        )
        return answer

    def close(self) -> None:
        """Close every channel."""
        for ch in self.channels.values():
            ch.close()


def clients_of(app_state: object) -> ServiceClients:
    """The app's clients (made at start-up, gateway.app), typed."""
    clients = getattr(app_state, "clients", None)
    if not isinstance(clients, ServiceClients):
        raise RuntimeError("the gateway's service clients are made at start-up (lifespan)")
    return clients
