"""Reaching the real servers the integration tests use, and making isolated resources on them.

Addresses come from the same environment variables the platform reads, with the same defaults that
`deploy/local/infra.sh` starts the servers on.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[2]
KAFKA = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
ES_URL = os.environ.get("ELASTICSEARCH_URL", "http://127.0.0.1:9200")
PG_BASE = os.environ.get("ECO_PG_URL", "postgresql+psycopg://eco@127.0.0.1:55432")
GRANTS_FILE = REPO / "deploy" / "local" / "grants.json"
# Tokens of deploy/local/grants.json (dev only).
BUREAU_TOKEN = "dev-bureau-token"
WATER_TOKEN = "dev-water-token"
COURTS_TOKEN = "dev-courts-token"

T = TypeVar("T")


def unique(prefix: str) -> str:
    """A short random name, so tests need no clean-up and never collide."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def wait_for(
    check: Callable[[], T | None], *, timeout: float = 20.0, every: float = 0.1, what: str = "condition"
) -> T:
    """Poll until `check` returns something truthy; fail with `what` after the timeout."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except Exception as exc:
            last_error = exc
        time.sleep(every)
    raise AssertionError(
        f"timed out after {timeout}s waiting for {what}"
        + (f" (last error: {last_error})" if last_error else "")
    )


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test; dropped afterwards."""
    name = unique("t_")
    admin = sa.create_engine(f"{PG_BASE}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_BASE}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def service_env(*, database_url: str, run_dir: Path, **extra: str) -> dict[str, str]:
    """Settings environment for starting a service in-process on a free port."""
    env = {
        "DATABASE_URL": database_url,
        "ECO_RUN_DIR": str(run_dir),
        "ECO_GATEWAY_INDEXER": "0",  # the search tests run the indexer on their own topics
        "KAFKA_BOOTSTRAP_SERVERS": KAFKA,
        "ELASTICSEARCH_URL": ES_URL,
        "ECO_GRANTS_FILE": str(GRANTS_FILE),
        "ECO_OUTBOX_POLL_SECONDS": "0.05",
        "ECO_CODES_ALLOW_DEV_KEY": "1",  # tests sign with test or dev keys and use loopback URLs
    }
    env.update(extra)
    return env


def free_port() -> int:
    """A TCP port nobody listens on right now (for disposable servers in tests)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
