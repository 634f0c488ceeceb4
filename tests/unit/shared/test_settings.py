"""Settings come from the environment with sane defaults; a bad value names its variable."""

from collections.abc import Callable
from pathlib import Path

import pytest

from gateway import config as gateway_config
from services.codes import config as codes_config
from services.enforcement import config as enforcement_config
from services.evaluation import config as evaluation_config
from services.monitoring import config as monitoring_config
from services.permits import config as permits_config
from shared import settings
from shared.settings import EnvironmentSettings


def test_defaults_use_sqlite_under_the_run_dir() -> None:
    s = settings.load("permits", {"ECO_RUN_DIR": "/tmp/run"})
    assert s.database_url == "sqlite:////tmp/run/data/permits.db"
    assert s.grpc_port == 50051
    assert s.kafka_bootstrap_servers == "127.0.0.1:9092"


def test_postgres_base_url_gives_one_database_per_service() -> None:
    s = settings.load("codes", {"ECO_PG_URL": "postgresql+psycopg://eco@db:5432/"})
    assert s.database_url == "postgresql+psycopg://eco@db:5432/eco_codes"


def test_explicit_database_url_wins() -> None:
    env = {"ECO_PG_URL": "postgresql://x", "ECO_RISK_DATABASE_URL": "sqlite:///r.db"}
    assert settings.load("risk", env).database_url == "sqlite:///r.db"


def test_bad_port_names_the_variable() -> None:
    with pytest.raises(SystemExit, match="ECO_PERMITS_GRPC_PORT: expected an integer, got 'fifty'"):
        settings.load("permits", {"ECO_PERMITS_GRPC_PORT": "fifty"})


def test_service_address_prefers_explicit_address() -> None:
    assert settings.service_address("risk", {"ECO_RISK_ADDR": "risk:9000"}) == "risk:9000"
    assert settings.service_address("risk", {}) == "127.0.0.1:50054"


def test_grpc_workers_default_and_validation() -> None:
    assert settings.load("permits", {}).grpc_workers == 32
    assert settings.load("permits", {"ECO_GRPC_WORKERS": "64"}).grpc_workers == 64
    with pytest.raises(SystemExit, match="ECO_GRPC_WORKERS"):
        settings.load("permits", {"ECO_GRPC_WORKERS": "0"})


@pytest.mark.parametrize("raw", ["0", "-1", "nan", "inf", "soon"])
def test_outbox_poll_must_be_a_sane_number_of_seconds(raw: str) -> None:
    with pytest.raises(SystemExit, match="ECO_OUTBOX_POLL_SECONDS"):
        settings.load("permits", {"ECO_OUTBOX_POLL_SECONDS": raw})


def test_a_malformed_grants_file_names_the_setting(tmp_path: Path) -> None:
    from shared.grpc.auth import Grants

    bad = tmp_path / "grants.json"
    bad.write_text('{"departments": {"water": {"grants": []}}}')
    with pytest.raises(SystemExit, match=r"ECO_GRANTS_FILE: cannot use .*KeyError"):
        Grants.load(bad)
    with pytest.raises(SystemExit, match=r"ECO_GRANTS_FILE: cannot use .*FileNotFoundError"):
        Grants.load(tmp_path / "missing.json")


LOADERS: dict[str, Callable[[dict[str, str]], object]] = {
    "shared": lambda env: settings.load("permits", env),
    "permits": permits_config.load,
    "monitoring": monitoring_config.load,
    "enforcement": lambda env: enforcement_config.load(env, Path("/tmp/run")),
    "evaluation": evaluation_config.load,
    "codes": lambda env: codes_config.load(
        {"ECO_CODES_ALLOW_DEV_KEY": "1", **env}, public_base_url="http://127.0.0.1:8000"
    ),
    "gateway": gateway_config.load,
}


@pytest.mark.parametrize(
    ("component", "variable", "raw", "reason"),
    [
        ("shared", "ECO_GRPC_MAX_CONNECTION_AGE_SECONDS", "forever", "expected a number"),
        ("shared", "ECO_PERMITS_GRPC_PORT", "65536", "less than or equal to 65535"),
        ("permits", "ECO_PERMITS_EXPIRY_SECONDS", "0", "greater than 0"),
        ("permits", "ECO_PERMITS_EXPIRY_SECONDS", "hourly", "expected a number"),
        ("monitoring", "ECO_MONITORING_FLAT_LINE_COUNT", "1", "greater than or equal to 2"),
        ("monitoring", "ECO_MONITORING_SWEEP_SECONDS", "1.5", "expected an integer"),
        ("enforcement", "ECO_ENFORCEMENT_TRACE_WINDOW_HOURS", "200", "less than or equal to 168"),
        ("enforcement", "ECO_ENFORCEMENT_RIVERS", "/no/such/rivers.json", "no file"),
        ("evaluation", "ECO_EVALUATION_RERATE_SECONDS", "-5", "greater than 0"),
        ("evaluation", "ECO_EVALUATION_RULES_DIR", "/no/such/dir", "no directory"),
        ("evaluation", "ECO_EVALUATION_TARGETS", "/no/such/targets.json", "No such file"),
        ("codes", "ECO_CODES_ALLOW_DEV_KEY", "yes", "expected 1 (development) or 0"),
        ("codes", "ECO_CODES_FONT", "/no/such/font.ttf", "no font file"),
        ("gateway", "ECO_GATEWAY_PORT", "http", "expected a port number"),
        ("gateway", "ECO_PUBLIC_STALE_SECONDS", "nan", "finite"),
        ("gateway", "ECO_GATEWAY_TRUSTED_PROXIES", "10.0.0.0/8,proxy", "'proxy' is neither"),
    ],
)
def test_a_bad_value_stops_the_component_naming_the_variable(
    component: str, variable: str, raw: str, reason: str
) -> None:
    with pytest.raises(settings.SettingsError) as err:
        LOADERS[component]({variable: raw})
    assert str(err.value).startswith(f"configuration error: {variable}: ")
    assert reason in str(err.value)


@pytest.mark.parametrize("component", sorted(LOADERS))
def test_every_component_starts_from_an_empty_environment(component: str) -> None:
    assert LOADERS[component]({}) is not None


# The variables README and deploy scripts set: the settings classes must keep reading every one.
VARIABLES = {
    settings.Settings: (
        "ECO_{C}_DATABASE_URL DATABASE_URL KAFKA_BOOTSTRAP_SERVERS ELASTICSEARCH_URL ECO_GRPC_BIND"
        " ECO_{C}_GRPC_PORT ECO_GRANTS_FILE ECO_RUN_DIR ECO_LOG_LEVEL ECO_OUTBOX_POLL_SECONDS"
        " ECO_OUTBOX_LISTENING_POLL_SECONDS"
        " ECO_PUBLIC_BASE_URL ECO_GRPC_WORKERS ECO_GRPC_MAX_CONNECTION_AGE_SECONDS"
        " ECO_{C}_CONSUMER_GROUP"
    ),
    permits_config.PermitsSettings: ("ECO_PERMITS_EXPIRY_SECONDS"),
    monitoring_config.MonitoringSettings: (
        "ECO_MONITORING_OPEN_AFTER ECO_MONITORING_CLEAR_AFTER ECO_MONITORING_FLAT_LINE_COUNT"
        " ECO_MONITORING_MISSING_AFTER_INTERVALS ECO_MONITORING_IDLE_MINUTES"
        " ECO_MONITORING_FUTURE_TOLERANCE_SECONDS ECO_MONITORING_SWEEP_SECONDS"
        " ECO_MONITORING_REFRESH_SECONDS ECO_MONITORING_CONSUMER_GROUP"
        " ECO_MONITORING_DAILY_AQI_SECONDS ECO_MONITORING_DAILY_AQI_DAYS_BACK"
    ),
    enforcement_config.EnforcementSettings: (
        "ECO_ENFORCEMENT_EVIDENCE_DIR ECO_ENFORCEMENT_RIVERS ECO_ENFORCEMENT_TRACE_MAX_M"
        " ECO_ENFORCEMENT_TRACE_WINDOW_HOURS ECO_ENFORCEMENT_ESCALATION_SECONDS"
        " ECO_ENFORCEMENT_SERVICE_TOKEN ECO_ENFORCEMENT_EVIDENCE_S3_ENDPOINT"
        " ECO_ENFORCEMENT_EVIDENCE_S3_BUCKET"
        " ECO_ENFORCEMENT_EVIDENCE_S3_PREFIX ECO_ENFORCEMENT_EVIDENCE_S3_REGION"
        " ECO_ENFORCEMENT_EVIDENCE_S3_ACCESS_KEY AWS_ACCESS_KEY_ID"
        " ECO_ENFORCEMENT_EVIDENCE_S3_SECRET_KEY AWS_SECRET_ACCESS_KEY"
    ),
    evaluation_config.EvaluationSettings: (
        "ECO_EVALUATION_RULES_DIR ECO_EVALUATION_TARGETS ECO_EVALUATION_RERATE_SECONDS ECO_EVALUATION_FONT"
    ),
    codes_config.CodesSettings: (
        "ECO_CODES_ALLOW_DEV_KEY ECO_CODES_KEYS ECO_CODES_RETIRED_KEYS ECO_CODES_SERVICE_TOKEN ECO_CODES_FONT"
    ),
    gateway_config.GatewaySettings: (
        "ECO_GATEWAY_HOST ECO_GATEWAY_PORT ECO_GATEWAY_TOKEN ECO_PUBLIC_RATE_PER_MINUTE"
        " ECO_PUBLIC_STATUS_TTL_SECONDS ECO_PUBLIC_STALE_SECONDS ECO_SCAN_FLUSH_SECONDS"
        " ECO_GATEWAY_INDEXER ECO_SEARCH_INDEX_PREFIX ECO_SEARCH_TOPICS"
        " ECO_GATEWAY_TRUSTED_PROXIES ECO_SEARCH_RECENT_SECONDS ECO_CONSOLE_TILE_URL"
        " ECO_CONSOLE_TILE_ATTRIBUTION ECO_GATEWAY_SESSION_SECONDS"
        " ECO_GATEWAY_API_SESSION_SECONDS ECO_GATEWAY_LOCKOUT_FAILURES ECO_GATEWAY_LOCKOUT_SECONDS"
        " ECO_GATEWAY_ADMIN_TOKEN"
    ),
}


@pytest.mark.parametrize("cls", list(VARIABLES), ids=lambda c: c.__name__)
def test_every_variable_name_is_still_read(cls: type[EnvironmentSettings]) -> None:
    read = {
        name
        for field in cls.model_fields.values()
        if isinstance(field.json_schema_extra, dict)
        for name in field.json_schema_extra.get("env") or []  # type: ignore[union-attr]
    }
    assert set(VARIABLES[cls].split()) == read


def test_values_come_from_the_mapping_given_not_the_process_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ECO_PERMITS_EXPIRY_SECONDS", "not a number")
    assert permits_config.load({"ECO_PERMITS_EXPIRY_SECONDS": "5"}).expiry_seconds == 5.0
    with pytest.raises(settings.SettingsError, match="ECO_PERMITS_EXPIRY_SECONDS"):
        permits_config.load()  # os.environ by default
