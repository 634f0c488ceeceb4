"""The gateway app in-process (FastAPI TestClient) wired to an in-process code service and a
stand-in enforcement endpoint, plus operator accounts for the routes that need one."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent import futures
from contextlib import contextmanager
from pathlib import Path

import grpc
from fastapi.testclient import TestClient

from eco.v1 import enforcement_pb2_grpc
from gateway import config, operators
from gateway.app import create_app
from tests.support import infra


@contextmanager
def enforcement_endpoint(servicer: enforcement_pb2_grpc.EnforcementServiceServicer) -> Iterator[str]:
    """Serve an EnforcementService on a free port; the bare generated servicer answers UNIMPLEMENTED,
    which is what enforcement answers for every method its issue has not built yet."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    enforcement_pb2_grpc.add_EnforcementServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop(grace=0.5).wait()


@contextmanager
def gateway(
    run_dir: Path,
    *,
    codes_address: str,
    enforcement_address: str,
    permits_address: str = "",
    evaluation_address: str = "",
    rate: int = 1000,
    base_url: str = "http://testserver",
) -> Iterator[TestClient]:
    """The gateway app with its own fresh PostgreSQL database, calling the given services (permits and
    evaluation: nowhere unless given, so an officer's inline record shows as unavailable)."""
    with infra.fresh_postgres_database() as database_url:
        env = {
            "ECO_RUN_DIR": str(run_dir),
            "ECO_GATEWAY_INDEXER": "0",  # the search tests run the indexer on their own topics
            "ECO_GATEWAY_DATABASE_URL": database_url,
            "ECO_CODES_ADDR": codes_address,
            "ECO_ENFORCEMENT_ADDR": enforcement_address,
            "ECO_PERMITS_ADDR": permits_address or dead_address(),
            "ECO_EVALUATION_ADDR": evaluation_address or dead_address(),
            "ECO_PUBLIC_RATE_PER_MINUTE": str(rate),
            "KAFKA_BOOTSTRAP_SERVERS": infra.KAFKA,
            "ELASTICSEARCH_URL": infra.ES_URL,
        }
        with TestClient(create_app(config.load(env)), base_url=base_url) as client:
            yield client


def operator_headers(client: TestClient, role: str, town: str = "") -> dict[str, str]:
    """A new operator account with the role (and area); the Authorization header it calls with."""
    token = infra.unique("op-token-")
    name = infra.unique("op-")
    engine = client.app.state.engine  # type: ignore[attr-defined]
    operators.create(engine, username=name, display_name=name, role=role, token=token, town=town)
    return {"Authorization": f"Bearer {token}"}


PASSWORD = "harness-passphrase"


def sign_in(client: TestClient, role: str, town: str = "") -> str:
    """A new operator account with the role (and area), signed in through POST /login (the client
    keeps the session cookie); returns the username."""
    name = infra.unique("op-")
    engine = client.app.state.engine  # type: ignore[attr-defined]
    operators.create(engine, username=name, display_name=name, role=role, password=PASSWORD, town=town)
    response = client.post(
        "/login", data={"username": name, "password": PASSWORD, "next": "/docs"}, follow_redirects=False
    )
    assert response.status_code == 303 and operators.SESSION_COOKIE in response.cookies, response.text
    return name


def dead_address() -> str:
    """An address where nothing listens (a service that is down)."""
    return f"127.0.0.1:{infra.free_port()}"
