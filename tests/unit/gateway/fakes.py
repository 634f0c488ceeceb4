"""Fake gRPC stubs for gateway tests with no service behind them: named methods answer what a test
gives them and record their requests; any other method answers UNAVAILABLE like a stopped service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc


class FakeRpcError(grpc.RpcError):
    """A gRPC error as a stub raises it (code and details)."""

    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        super().__init__(details)
        self._code, self._details = code, details

    def code(self) -> grpc.StatusCode:
        """The status code."""
        return self._code

    def details(self) -> str:
        """The message."""
        return self._details


class FakeStub:
    """A stub whose methods are the given callables (request -> reply); the rest are down."""

    def __init__(self, service: str, **methods: Callable[[Any], Any]) -> None:
        self.service = service
        self.methods = methods
        self.calls: list[tuple[str, Any, dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_") or not name[:1].isupper():
            raise AttributeError(name)

        def call(request: Any, **kwargs: Any) -> Any:
            self.calls.append((name, request, kwargs))
            method = self.methods.get(name)
            if method is None:
                raise FakeRpcError(grpc.StatusCode.UNAVAILABLE, f"{self.service} is not running")
            return method(request)

        return call
