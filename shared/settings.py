"""Settings, parsed once at start-up from the environment into a typed object.

Nothing here connects to anything; a bad value stops the process with a message naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from shared.topology import DEFAULT_GRPC_PORTS

REPO_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(SystemExit):
    """A missing or malformed setting: the process cannot start."""

    def __init__(self, variable: str, reason: str) -> None:
        super().__init__(f"configuration error: {variable}: {reason}")


@dataclass(frozen=True)
class Settings:
    service: str
    database_url: str
    kafka_bootstrap_servers: str
    elasticsearch_url: str
    grpc_host: str
    grpc_port: int
    grants_file: Path
    run_dir: Path
    log_level: str
    outbox_poll_seconds: float
    # Base URL printed in QR codes; the gateway serves /c/{token} under it.
    public_base_url: str
    # Threads running the plain (sync) servicer methods; streams are coroutines and hold none.
    grpc_workers: int
    # Connections are recycled after this long: clients spread over replicas, forgotten streams end.
    grpc_max_connection_age_seconds: float
    # The Kafka consumer group of this component's consumers (replicas share it; a test takes its own).
    consumer_group: str
    # The environment these settings came from: a service reads its own extra settings from it too,
    # so that one mapping configures the whole process (tests pass theirs, processes os.environ).
    env: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def grpc_address(self) -> str:
        return f"{self.grpc_host}:{self.grpc_port}"


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(name, f"expected an integer, got {raw!r}") from None
    if not 0 <= value < 65536:
        raise SettingsError(name, f"expected a port number 0..65535 (0: any free port), got {value}")
    return value


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SettingsError(name, f"expected a whole number of at least 1, got {raw!r}")
    return int(raw)


def seconds(env: Mapping[str, str], name: str, default: float) -> float:
    """A duration setting in seconds, in (0, 3600); SettingsError naming the variable otherwise."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(name, f"expected a number of seconds, got {raw!r}") from None
    if not 0 < value < 3600:  # also refuses nan and infinities
        raise SettingsError(name, f"expected seconds between 0 and 3600 (exclusive), got {raw!r}")
    return value


def service_address(service: str, env: Mapping[str, str] = os.environ) -> str:
    """host:port of a service's gRPC endpoint, as its peers and the gateway reach it."""
    upper = service.upper()
    explicit = env.get(f"ECO_{upper}_ADDR")
    if explicit:
        return explicit
    port = _port(env, f"ECO_{upper}_GRPC_PORT", DEFAULT_GRPC_PORTS[service])
    return f"{env.get('ECO_GRPC_HOST', '127.0.0.1')}:{port}"


def database_url(name: str, env: Mapping[str, str], run_dir: Path) -> str:
    """A component's database: ECO_<NAME>_DATABASE_URL, else DATABASE_URL (one process, one database,
    as in a container), else one built from ECO_PG_URL, else a SQLite file under the run dir."""
    explicit = env.get(f"ECO_{name.upper()}_DATABASE_URL") or env.get("DATABASE_URL")
    if explicit:
        return explicit
    pg_base = env.get("ECO_PG_URL")
    if pg_base:
        return f"{pg_base.rstrip('/')}/eco_{name}"
    return f"sqlite:///{run_dir / 'data' / f'{name}.db'}"


def load(service: str, env: Mapping[str, str] = os.environ) -> Settings:
    """Read the settings of one component ("permits", ..., "gateway") from the environment."""
    run_dir = Path(env.get("ECO_RUN_DIR", str(REPO_ROOT / ".run")))
    default_port = DEFAULT_GRPC_PORTS.get(service, 0)
    port = _port(env, f"ECO_{service.upper()}_GRPC_PORT", default_port) if default_port else 0
    return Settings(
        service=service,
        database_url=database_url(service, env, run_dir),
        kafka_bootstrap_servers=env.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        elasticsearch_url=env.get("ELASTICSEARCH_URL", "http://127.0.0.1:9200"),
        grpc_host=env.get("ECO_GRPC_BIND", "127.0.0.1"),
        grpc_port=port,
        grants_file=Path(env.get("ECO_GRANTS_FILE", str(REPO_ROOT / "deploy" / "local" / "grants.json"))),
        run_dir=run_dir,
        log_level=env.get("ECO_LOG_LEVEL", "INFO").upper(),
        outbox_poll_seconds=seconds(env, "ECO_OUTBOX_POLL_SECONDS", 0.2),
        public_base_url=env.get("ECO_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        grpc_workers=_count(env, "ECO_GRPC_WORKERS", 32),
        grpc_max_connection_age_seconds=seconds(env, "ECO_GRPC_MAX_CONNECTION_AGE_SECONDS", 600.0),
        consumer_group=env.get(f"ECO_{service.upper()}_CONSUMER_GROUP") or service,
        env=dict(env),
    )
