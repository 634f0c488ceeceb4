"""What `make run` starts, started the same way: every service and the gateway as its own process.

Each process gets free ports and SQLite files in a temporary run dir (make run's default), talks to
the real Kafka and Elasticsearch, becomes ready, answers health and reflection, and stops cleanly on
SIGTERM.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import pytest
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from shared.topology import GRPC_SERVICE_NAMES, SERVICES
from tests.support import infra

pytestmark = pytest.mark.e2e


@pytest.fixture
def platform_env(tmp_path: Path, kafka_bootstrap: str, es: object) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECO_") and k != "DATABASE_URL"}
    env.update(
        PYTHONPATH=str(infra.REPO),
        ECO_RUN_DIR=str(tmp_path),
        KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap,
        ELASTICSEARCH_URL=infra.ES_URL,
        ECO_GRANTS_FILE=str(infra.GRANTS_FILE),
        ECO_CODES_ALLOW_DEV_KEY="1",
        ECO_GATEWAY_PORT=str(infra.free_port()),
    )
    for name in SERVICES:
        env[f"ECO_{name.upper()}_GRPC_PORT"] = str(infra.free_port())
    # Consumer groups of their own, so this test never moves the offsets of a running platform.
    for name in (*SERVICES, "gateway"):
        env[f"ECO_{name.upper()}_CONSUMER_GROUP"] = infra.unique(f"{name}-e2e-")
    env["ECO_SEARCH_INDEX_PREFIX"] = infra.unique("e2e-")
    return env


@pytest.fixture
def processes(platform_env: dict[str, str], tmp_path: Path) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    started: dict[str, subprocess.Popen[bytes]] = {}
    for name in (*SERVICES, "gateway"):
        module = "gateway" if name == "gateway" else f"services.{name}"
        log = (tmp_path / f"{name}.log").open("wb")
        started[name] = subprocess.Popen(
            [sys.executable, "-m", module],
            env=platform_env,
            cwd=infra.REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    yield started
    for process in started.values():
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_every_process_becomes_ready_answers_and_stops_cleanly(
    processes: dict[str, subprocess.Popen[bytes]], platform_env: dict[str, str], tmp_path: Path
) -> None:
    ready = subprocess.run(
        [sys.executable, "-m", "deploy.ready", "--timeout", "90"],
        env=platform_env,
        cwd=infra.REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    logs = {name: (tmp_path / f"{name}.log").read_text(errors="replace")[-1500:] for name in processes}
    assert ready.returncode == 0, f"{ready.stdout}\n{ready.stderr}\n{logs}"

    for name in SERVICES:
        with grpc.insecure_channel(f"127.0.0.1:{platform_env[f'ECO_{name.upper()}_GRPC_PORT']}") as channel:
            stub = reflection_pb2_grpc.ServerReflectionStub(channel)
            replies = stub.ServerReflectionInfo(
                iter([reflection_pb2.ServerReflectionRequest(list_services="")])
            )
            listed = {s.name for reply in replies for s in reply.list_services_response.service}
        assert GRPC_SERVICE_NAMES[name] in listed

    health = httpx.get(f"http://127.0.0.1:{platform_env['ECO_GATEWAY_PORT']}/healthz", timeout=10).json()
    assert health["status"] == "up", health
    assert health["database"]["backend"] == "sqlite"

    for process in processes.values():
        process.send_signal(signal.SIGTERM)
    codes = {name: process.wait(timeout=30) for name, process in processes.items()}
    gateway = codes.pop("gateway")
    assert codes == dict.fromkeys(SERVICES, 0)
    # uvicorn shuts down gracefully, then re-raises the signal so the exit status tells why it ended.
    assert gateway in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in (tmp_path / "gateway.log").read_text()
