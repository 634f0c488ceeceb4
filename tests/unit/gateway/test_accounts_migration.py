"""Revision gateway_0102 on a database of the first release: its operators become accounts with the
roles that replaced theirs and keep their token (machine clients go on working); no password yet."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from gateway import operators
from gateway.migrations import HISTORY
from shared.db import make_engine
from shared.grpc.auth import token_digest
from shared.migrations import upgrade
from tests.support.migrations import as_made_by_numbered_migrations


def test_first_release_operators_become_accounts(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'gateway.db'}")
    as_made_by_numbered_migrations(engine, HISTORY)
    with engine.begin() as conn:
        for username, role, token in (
            ("wang", "officer", "tok-wang"),
            ("hu", "grid", "tok-hu"),
            ("li", "viewer", "tok-li"),
        ):
            conn.execute(
                sa.text(
                    "INSERT INTO operators (username, display_name, role, town, token_sha256)"
                    " VALUES (:u, :u, :r, '浒山', :t)"
                ),
                {"u": username, "r": role, "t": token_digest(token)},
            )
    assert "gateway_0102" in upgrade(engine, HISTORY)
    with engine.connect() as conn:
        rows = {
            r.username: (r.role, r.password_hash) for r in conn.execute(sa.text("SELECT * FROM accounts"))
        }
        assert not sa.inspect(conn).has_table("operators") and not sa.inspect(conn).has_table(
            "revoked_sessions"
        )
    assert rows == {"wang": ("dispatcher", ""), "hu": ("grid_commissioner", ""), "li": ("viewer", "")}
    found = operators.get_by_token(engine, "tok-wang")
    assert found is not None and found.role == "dispatcher"
