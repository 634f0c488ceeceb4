"""GET /healthz: the state of every service, Kafka, Elasticsearch and the database.

Anyone gets the names and states (a liveness answer for load balancers and probes); addresses,
versions, the database backend and the host name only go to a signed-in operator or a request from
the host itself (DESIGN.md, stable routes), since they map the inside of the platform for a prober.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from typing import Any, Literal

import grpc
import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from grpc_health.v1 import health_pb2, health_pb2_grpc
from pydantic import Field

from gateway import operators
from gateway.clients import clients_of
from gateway.contract import Out
from shared.topology import GRPC_SERVICE_NAMES

router = APIRouter(tags=["health"])

TIMEOUT_SECONDS = 2.0


def _timed(check: Any) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as exc:
        result = {"status": "down", "error": f"{type(exc).__name__}: {exc}"}
    result["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


async def _bounded(check: Any) -> dict[str, Any]:
    """Run a check in a thread, but answer "down" after TIMEOUT_SECONDS whatever the check does."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(_timed, check), TIMEOUT_SECONDS + 0.5)
    except TimeoutError:
        return {"status": "down", "error": f"no answer within {TIMEOUT_SECONDS:.0f}s"}


def _service(channel: grpc.Channel, name: str, address: str) -> dict[str, Any]:
    stub = health_pb2_grpc.HealthStub(channel)
    try:
        reply = stub.Check(
            health_pb2.HealthCheckRequest(service=GRPC_SERVICE_NAMES[name]), timeout=TIMEOUT_SECONDS
        )
        status = "up" if reply.status == health_pb2.HealthCheckResponse.SERVING else "down"
        return {
            "status": status,
            "address": address,
            "grpc_status": health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status),
        }
    except grpc.RpcError as exc:
        return {"status": "down", "address": address, "error": exc.details() or exc.code().name}  # type: ignore[attr-defined]


def _kafka(bootstrap: str) -> dict[str, Any]:
    # A metadata round trip proves the broker answers the Kafka protocol, not just TCP.
    from kafka import KafkaAdminClient

    # Both timeouts bounded: the bootstrap wait defaults to 30 s, and a check still waiting after
    # /healthz has answered holds a thread (and keeps a stopping gateway waiting).
    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap.split(","),
        request_timeout_ms=int(TIMEOUT_SECONDS * 1000),
        bootstrap_timeout_ms=int(TIMEOUT_SECONDS * 1000),
        client_id="gateway-health",
    )
    try:
        topics = admin.list_topics()
    finally:
        admin.close()
    return {"status": "up", "address": bootstrap, "topics": len(topics)}


def _elasticsearch(request: Request) -> dict[str, Any]:
    es = request.app.state.search
    info = es.cluster.health(timeout="1s")
    status = "up" if info["status"] in ("green", "yellow") else "down"
    return {
        "status": status,
        "address": request.app.state.settings.base.elasticsearch_url,
        "cluster": info["status"],
    }


def _database(request: Request) -> dict[str, Any]:
    engine = request.app.state.engine
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    return {"status": "up", "backend": engine.dialect.name}


def from_this_host(request: Request) -> bool:
    """Whether the request's peer is a loopback address (the real peer: forwarded headers count only
    from configured proxies)."""
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _states_only(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": body["status"],
        "services": {name: {"status": s["status"]} for name, s in body["services"].items()},
        **{part: {"status": body[part]["status"]} for part in ("kafka", "elasticsearch", "database")},
    }


class PartOut(Out):
    """One part's state; the details after `status` go to operators and the local host only."""

    status: Literal["up", "down"]
    latency_ms: float | None = None
    address: str | None = None
    grpc_status: str | None = None
    error: str | None = None
    topics: int | None = Field(None, description="Kafka: topics the broker lists")
    cluster: str | None = Field(None, description="Elasticsearch: the cluster's colour")
    backend: str | None = Field(None, description="The database: postgresql or sqlite")


class HealthOut(Out):
    """Every service, Kafka, Elasticsearch and the gateway's database; `host` for operators only."""

    status: Literal["up", "degraded"]
    services: dict[str, PartOut]
    kafka: PartOut
    elasticsearch: PartOut
    database: PartOut
    host: str | None = None


@router.get(
    "/healthz",
    response_class=JSONResponse,
    response_model=HealthOut,
    responses={
        200: {"description": "Everything is up", "model": HealthOut},
        503: {"description": "Something is down; the same body says what", "model": HealthOut},
    },
)
async def healthz(request: Request) -> JSONResponse:
    """The state of every service, Kafka, Elasticsearch and the database (503 if any is down);
    addresses and versions for operators and the local host only."""
    settings = request.app.state.settings
    clients = clients_of(request.app.state)
    checks: dict[str, Any] = {
        f"service:{name}": (lambda n=name, a=address: _service(clients.channels[n], n, a))
        for name, address in settings.service_addresses.items()
    }
    checks["kafka"] = lambda: _kafka(settings.base.kafka_bootstrap_servers)
    checks["elasticsearch"] = lambda: _elasticsearch(request)
    checks["database"] = lambda: _database(request)
    results = await asyncio.gather(*(_bounded(check) for check in checks.values()))
    report = dict(zip(checks, results, strict=True))
    services = {k.removeprefix("service:"): v for k, v in report.items() if k.startswith("service:")}
    body = {
        "status": "up" if all(r["status"] == "up" for r in results) else "degraded",
        "services": services,
        "kafka": report["kafka"],
        "elasticsearch": report["elasticsearch"],
        "database": report["database"],
        "host": socket.gethostname(),
    }
    status_code = 200 if body["status"] == "up" else 503
    if not from_this_host(request) and await asyncio.to_thread(operators.optional, request) is None:
        body = _states_only(body)
    return JSONResponse(body, status_code=status_code)
