"""Running calls from many real gRPC clients at once (each with its own channel)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc

from tests.integration.permits.conftest import Permits

Call = Callable[[Any], object]


def run_concurrently(p: Permits, calls: Sequence[Call], workers: int) -> list[tuple[grpc.StatusCode, str]]:
    """Run each call from its own client concurrently; (status code, details) of each, in order.

    Every client waits at a start line, so the calls really overlap on the server's thread pool,
    each with its own database connection.
    """
    go = threading.Event()

    def one(call: Call) -> tuple[grpc.StatusCode, str]:
        ch, stub = p.new_stub()
        try:
            go.wait(timeout=30)
            call(stub)
            return grpc.StatusCode.OK, ""
        except grpc.RpcError as exc:
            return exc.code(), exc.details()  # type: ignore[attr-defined]
        finally:
            ch.close()

    with ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(one, call) for call in calls]
        go.set()
        return [f.result() for f in futures]
