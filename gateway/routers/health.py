"""GET /healthz: the state of every service, Kafka, Elasticsearch and the database."""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

import grpc
import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from grpc_health.v1 import health_pb2, health_pb2_grpc

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

    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap.split(","), request_timeout_ms=2000, client_id="gateway-health"
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


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    """The state of every service (with its gRPC address), Kafka, Elasticsearch and the database."""
    settings = request.app.state.settings
    clients = request.app.state.clients
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
    return JSONResponse(body, status_code=200 if body["status"] == "up" else 503)
