"""The gateway's gRPC clients: one channel per service, each call carrying the token and trace id."""

from __future__ import annotations

from typing import Any

import grpc

from gateway.config import GatewaySettings
from shared.grpc.client import call_metadata, channel


class ServiceClients:
    """Channels to every service; `stub(service, StubClass)` gives a stub, `metadata()` the call metadata."""

    def __init__(self, settings: GatewaySettings) -> None:
        self.settings = settings
        self.channels: dict[str, grpc.Channel] = {
            name: channel(address) for name, address in settings.service_addresses.items()
        }

    def stub(self, service: str, stub_class: type) -> Any:
        return stub_class(self.channels[service])

    def metadata(self) -> tuple[tuple[str, str], ...]:
        return call_metadata(self.settings.service_token)

    def close(self) -> None:
        for ch in self.channels.values():
            ch.close()
