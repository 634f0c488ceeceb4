"""Settings come from the environment with sane defaults; a bad value names its variable."""

from pathlib import Path

import pytest

from shared import settings


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
    with pytest.raises(SystemExit, match="ECO_PERMITS_GRPC_PORT: expected an integer"):
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
