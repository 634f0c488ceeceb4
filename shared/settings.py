"""Settings, parsed once at start-up from the environment into a typed object (pydantic-settings).

Every component has one settings class: the variables every process reads are `Settings` here; a
component with variables of its own declares its class beside its code (`services/<name>/config.py`,
`gateway/config.py`), derived from `EnvironmentSettings`. A field names the variable it is read from
(`env_field`); a bad value stops the process with a message naming that variable. Nothing here
connects to anything: building settings only reads the mapping it is given (os.environ by default).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, ClassVar, Self

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from shared.topology import DEFAULT_GRPC_PORTS

REPO_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(SystemExit):
    """A missing or malformed setting: the process cannot start."""

    def __init__(self, variable: str, reason: str) -> None:
        super().__init__(f"configuration error: {variable}: {reason}")


def env_field(*variables: str, default: Any = ..., **constraints: Any) -> Any:
    """A settings field read from the first of `variables` that is set and not empty.

    `{C}` in a name is the component's name in capitals (`ECO_{C}_GRPC_PORT` is ECO_PERMITS_GRPC_PORT
    in permits). Constraints are pydantic's (ge, lt, ...), checked at start-up.
    """
    return Field(default, json_schema_extra={"env": list(variables)}, **constraints)


# The environment and component being read: set by `EnvironmentSettings.from_env` for its source.
_READING: ContextVar[tuple[Mapping[str, str], str]] = ContextVar("eco_settings_reading")


def _variables(field: FieldInfo, component: str) -> list[str]:
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    names = extra.get("env") or []
    return [str(n).replace("{C}", component.upper()) for n in names]  # type: ignore[union-attr]


class _Variables(PydanticBaseSettingsSource):
    """pydantic-settings source: each field from the variables it names, in the mapping being read."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """The field's raw value and the variable it came from (None when none is set)."""
        env, component = _READING.get()
        for variable in _variables(field, component):
            raw = env.get(variable)
            if raw is not None and raw != "":
                return raw, variable, False
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        found = {}
        for name, field in self.settings_cls.model_fields.items():
            value, _, _ = self.get_field_value(field, name)
            if value is not None:
                found[name] = value
        return found


class EnvironmentSettings(BaseSettings):
    """The base of every component's settings class: read by `from_env`, frozen once read."""

    # Defaults are ours and trusted (some are placeholders the class fills in after validation).
    model_config = SettingsConfigDict(
        frozen=True, extra="forbid", arbitrary_types_allowed=True, validate_default=False
    )
    # The component whose name fills `{C}` in variable names (a class may also take it per call).
    component: ClassVar[str] = ""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Values given in code first, then the named variables of the mapping being read."""
        return (init_settings, _Variables(settings_cls))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ, *, component: str = "", **values: Any) -> Self:
        """Read and check the settings; SettingsError names the variable of the first bad value."""
        component = component or cls.component
        with _reading(environ, component):
            try:
                return cls(**values)
            except ValidationError as exc:
                raise cls._error(exc, environ, component) from None

    @classmethod
    def variable(cls, field: str, component: str = "") -> str:
        """The variable a field is read from (its first name when it has several)."""
        names = _variables(cls.model_fields[field], component or cls.component)
        return names[0] if names else field

    @classmethod
    def _error(cls, exc: ValidationError, env: Mapping[str, str], component: str) -> SettingsError:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else ""
        names = _variables(cls.model_fields[field], component) if field in cls.model_fields else []
        variable = next((n for n in names if env.get(n)), names[0] if names else field)
        message = _PLAIN.get(error["type"], error["msg"])
        for prefix, replacement in (
            ("Input should be greater", "expected a value greater"),
            ("Input should be less", "expected a value less"),
            ("Input should be ", "expected "),
            ("Value error, ", ""),
        ):
            if message.startswith(prefix):
                message = replacement + message[len(prefix) :]
        raw = env.get(variable)
        return SettingsError(variable, message if raw is None else f"{message}, got {raw!r}")


# Pydantic's wording for the usual mistakes, said as the other messages say it.
_PLAIN = {
    "int_parsing": "expected an integer",
    "int_from_float": "expected an integer",
    "float_parsing": "expected a number",
    "finite_number": "expected a finite number",
    "bool_parsing": "expected 1 or 0",
}


@contextmanager
def _reading(env: Mapping[str, str], component: str) -> Iterator[None]:
    token = _READING.set((env, component))
    try:
        yield
    finally:
        _READING.reset(token)


# Durations in seconds: in (0, 3600), finite.
_SECONDS: dict[str, Any] = {"gt": 0, "lt": 3600, "allow_inf_nan": False}


class Settings(EnvironmentSettings):
    """What every process reads: its database, Kafka, Elasticsearch, gRPC address, files, pacing."""

    service: str
    # Unset: one built from ECO_PG_URL (eco_<name> on that server), else SQLite under the run dir.
    database_url: str = env_field("ECO_{C}_DATABASE_URL", "DATABASE_URL", default="")
    kafka_bootstrap_servers: str = env_field("KAFKA_BOOTSTRAP_SERVERS", default="127.0.0.1:9092")
    elasticsearch_url: str = env_field("ELASTICSEARCH_URL", default="http://127.0.0.1:9200")
    grpc_host: str = env_field("ECO_GRPC_BIND", default="127.0.0.1")
    # 0: any free port. Components without a gRPC service (the gateway) always have 0.
    grpc_port: int = env_field("ECO_{C}_GRPC_PORT", default=-1, ge=0, le=65535)
    grants_file: Path = env_field("ECO_GRANTS_FILE", default=REPO_ROOT / "deploy" / "local" / "grants.json")
    run_dir: Path = env_field("ECO_RUN_DIR", default=REPO_ROOT / ".run")
    log_level: str = env_field("ECO_LOG_LEVEL", default="INFO")
    # How often the outbox relay looks for unsent events when nothing wakes it (SQLite), and while it
    # is woken by PostgreSQL's NOTIFY at each commit (shared.outbox).
    outbox_poll_seconds: float = env_field("ECO_OUTBOX_POLL_SECONDS", default=0.2, **_SECONDS)
    outbox_listening_poll_seconds: float = env_field(
        "ECO_OUTBOX_LISTENING_POLL_SECONDS", default=5.0, **_SECONDS
    )
    # Base URL printed in QR codes; the gateway serves /c/{token} under it.
    public_base_url: str = env_field("ECO_PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
    # Threads running the plain (sync) servicer methods; streams are coroutines and hold none.
    grpc_workers: int = env_field("ECO_GRPC_WORKERS", default=32, ge=1, strict=False)
    # Connections are recycled after this long: clients spread over replicas, forgotten streams end.
    grpc_max_connection_age_seconds: float = env_field(
        "ECO_GRPC_MAX_CONNECTION_AGE_SECONDS", default=600.0, **_SECONDS
    )
    # The Kafka consumer group of this component's consumers (replicas share it; a test takes its own).
    consumer_group: str = env_field("ECO_{C}_CONSUMER_GROUP", default="")
    # The environment these settings came from: a component reads its own settings class from it
    # too, so that one mapping configures the whole process (tests pass theirs, processes os.environ).
    env: Mapping[str, str] = Field(default_factory=dict, repr=False, exclude=True)

    @field_validator("log_level")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("public_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("grpc_workers", mode="before")
    @classmethod
    def _whole_number(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.isdigit():
            raise ValueError("expected a whole number of at least 1")
        return value

    @model_validator(mode="after")
    def _derived(self) -> Self:
        # Defaults that depend on the component or on other settings.
        default_port = DEFAULT_GRPC_PORTS.get(self.service, 0)
        if not default_port:
            object.__setattr__(self, "grpc_port", 0)
        elif self.grpc_port < 0:
            object.__setattr__(self, "grpc_port", default_port)
        if not self.database_url:
            object.__setattr__(self, "database_url", database_url(self.service, self.env, self.run_dir))
        if not self.consumer_group:
            object.__setattr__(self, "consumer_group", self.service)
        return self

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
    return Settings.from_env(env, component=service, service=service, env=dict(env))
