"""A gateway on SQLite with no services behind it (every service address is a closed port), for
tests of what the gateway does on its own: the HTTP edge, errors, sessions, the OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from gateway import config, operators
from gateway.app import create_app
from shared.topology import SERVICES

OFFICER_TOKEN = "tok-edge-officer"
OFFICER_PASSWORD = "edge-officer-passphrase"
NOWHERE = "127.0.0.1:9"  # the discard port: nothing listens there on a test machine


def gateway_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Settings of a gateway that needs no server at all."""
    return {
        "ECO_RUN_DIR": str(tmp_path),
        "ECO_GATEWAY_INDEXER": "0",
        "ECO_GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}",
        "ELASTICSEARCH_URL": "http://127.0.0.1:9",
        "KAFKA_BOOTSTRAP_SERVERS": NOWHERE,
        **{f"ECO_{name.upper()}_ADDR": NOWHERE for name in SERVICES},
        **extra,
    }


@contextmanager
def gateway(
    tmp_path: Path, client: tuple[str, int] = ("203.0.113.7", 50000), **env: str
) -> Iterator[TestClient]:
    """A started gateway with one dispatcher (OFFICER_TOKEN, or signing in with OFFICER_PASSWORD),
    called from `client` (a public address by default, so nothing counts as the local host unless a
    test says so)."""
    with TestClient(create_app(config.load(gateway_env(tmp_path, **env))), client=client) as test_client:
        engine = test_client.app.state.engine  # type: ignore[attr-defined]
        operators.create(
            engine,
            username="edge.officer",
            display_name="E",
            role="dispatcher",
            token=OFFICER_TOKEN,
            password=OFFICER_PASSWORD,
        )
        yield test_client


def error_shape(body: Any) -> bool:
    """Whether a JSON body is the platform's error shape."""
    return isinstance(body, dict) and set(body) == {"error", "message", "trace_id"}
