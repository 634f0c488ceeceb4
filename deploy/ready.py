"""Wait until every service answers gRPC health with SERVING and the gateway's /healthz is up.

Shows progress on one line per component, so a slow start is visibly slow rather than hung.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from gateway import config
from shared.topology import GRPC_SERVICE_NAMES


def service_serving(address: str, name: str) -> bool:
    """Whether the gRPC service at address reports SERVING."""
    with grpc.insecure_channel(address) as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=name), timeout=1
            )
        except grpc.RpcError:
            return False
    return reply.status == health_pb2.HealthCheckResponse.SERVING


def gateway_up(base: str) -> bool:
    """Whether GET /healthz answers (any status: the gateway itself is up)."""
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=3) as response:
            return bool(json.load(response))
    except urllib.error.HTTPError as exc:  # 503 "degraded" still means the gateway is serving
        return exc.code == 503
    except OSError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    settings = config.load()
    pending = {name: addr for name, addr in settings.service_addresses.items()}
    gateway_base = f"http://{settings.host}:{settings.port}"
    started = time.monotonic()
    while time.monotonic() - started < args.timeout:
        for name in list(pending):
            if service_serving(pending[name], GRPC_SERVICE_NAMES[name]):
                print(
                    f"  {name:<12} ready at {pending.pop(name)} ({time.monotonic() - started:.1f}s)",
                    flush=True,
                )
        if not pending and gateway_up(gateway_base):
            print(
                f"  {'gateway':<12} ready at {gateway_base} ({time.monotonic() - started:.1f}s)", flush=True
            )
            return 0
        waiting = ", ".join(pending) or "gateway"
        print(f"  ... {time.monotonic() - started:4.0f}s, waiting for {waiting}", end="\r", flush=True)
        time.sleep(0.5)
    print(
        f"\nnot ready after {args.timeout:.0f}s: {', '.join(pending) or 'gateway'}; see .run/logs/",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
