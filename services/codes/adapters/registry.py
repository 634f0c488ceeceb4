"""The enterprise registry as the code service reaches it: PermitsService.GetEnterprise over gRPC.

Only the public fields of the answer (name, town, industry code) cross into the code service, as
with the registration event; contact, address, grid, location and risk flags are dropped here.
"""

from __future__ import annotations

import threading
from datetime import UTC

import grpc

from eco.v1 import permits_pb2, permits_pb2_grpc
from services.codes.domain.status import ProfileFact
from services.codes.service_layer.context import RegistryUnavailable
from shared.grpc.client import call_metadata, channel

CALL_TIMEOUT = 5.0


class PermitsRegistry:
    """Calls PermitsService with the code service's own department token; the channel opens on first use."""

    def __init__(self, address: str, token: str, timeout: float = CALL_TIMEOUT) -> None:
        self.address = address
        self.token = token
        self.timeout = timeout
        self._channel: grpc.Channel | None = None
        self._lock = threading.Lock()

    def _stub(self) -> permits_pb2_grpc.PermitsServiceStub:
        with self._lock:
            if self._channel is None:
                self._channel = channel(self.address)
            return permits_pb2_grpc.PermitsServiceStub(self._channel)

    def get(self, *, uscc: str) -> ProfileFact | None:
        """The enterprise's public profile as the registry holds it now; None if it is not registered."""
        try:
            enterprise = self._stub().GetEnterprise(
                permits_pb2.GetEnterpriseRequest(uscc=uscc),
                metadata=call_metadata(self.token),
                timeout=self.timeout,
            )
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.NOT_FOUND:  # type: ignore[attr-defined]
                return None
            raise RegistryUnavailable(
                f"the enterprise registry (permits at {self.address}) did not answer: "
                f"{error.code().name} {error.details()}"  # type: ignore[attr-defined]
            ) from None
        # The time of the registry's fact, so that a later EnterpriseUpdated event still wins.
        stamp = enterprise.updated_at if enterprise.HasField("updated_at") else enterprise.registered_at
        return ProfileFact(
            uscc=uscc,
            name=enterprise.fields.name,
            town=enterprise.fields.town,
            industry=enterprise.fields.industry_code,
            occurred_at=stamp.ToDatetime(tzinfo=UTC),
        )

    def start(self) -> None:
        """Nothing to start: the channel opens on the first lookup."""

    def stop(self) -> None:
        """Close the channel, if one was opened."""
        with self._lock:
            if self._channel is not None:
                self._channel.close()
                self._channel = None
