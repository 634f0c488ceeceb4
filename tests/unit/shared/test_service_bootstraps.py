"""Every service process wires up without any server: SQLite schema, servicer registration."""

from __future__ import annotations

import importlib
from concurrent import futures
from pathlib import Path

import grpc
import pytest
import sqlalchemy as sa

from shared import settings
from shared.topology import DEFAULT_GRPC_PORTS, SERVICES


@pytest.mark.parametrize("name", SERVICES)
def test_build_migrates_the_shared_tables_and_registers_the_servicer(name: str, tmp_path: Path) -> None:
    build = importlib.import_module(f"services.{name}.bootstrap").build
    env = {"ECO_RUN_DIR": str(tmp_path), "ECO_CODES_ALLOW_DEV_KEY": "1"}
    app = build(settings.load(name, env))
    try:
        assert app.settings.grpc_port == DEFAULT_GRPC_PORTS[name]
        app.prepare()
        tables = set(sa.inspect(app.engine).get_table_names())
        assert {"outbox", "processed_events", "audit_log", "dead_letters"} <= tables
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
        app.register(server)  # looks up every method of the contract on the servicer
        server.stop(None)
    finally:
        app.engine.dispose()
    assert (tmp_path / "data" / f"{name}.db").exists()
