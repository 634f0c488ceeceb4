"""The enforcement process wires up without any server: SQLite schema, servicer registration."""

from __future__ import annotations

from concurrent import futures
from pathlib import Path

import grpc
import sqlalchemy as sa

from services.enforcement.bootstrap import build
from shared import settings


def test_build_migrates_the_shared_tables_and_registers_the_servicer(tmp_path: Path) -> None:
    app = build(settings.load("enforcement", {"ECO_RUN_DIR": str(tmp_path)}))
    try:
        assert app.settings.grpc_port == 50053
        app.prepare()
        tables = set(sa.inspect(app.engine).get_table_names())
        assert {"outbox", "processed_events", "audit_log"} <= tables
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
        app.register(server)  # looks up every method of the contract on the servicer
        server.stop(None)
    finally:
        app.engine.dispose()
    assert (tmp_path / "data" / "enforcement.db").exists()
