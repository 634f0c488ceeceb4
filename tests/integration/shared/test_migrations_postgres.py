"""Every component's Alembic history on the real PostgreSQL: upgrade to head equals its tables.py,
databases of the numbered-migration mechanism are adopted, a database serves one component.

Downgrades are not supported (a mistake is fixed by a new revision), so nothing here runs one.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from shared.db import make_engine
from shared.migrations import History, WrongDatabase, current_heads, schema_differences, upgrade
from tests.support.migrations import (
    ENTERPRISE_WITH_OLD_FLAGS,
    HISTORIES,
    MONITORING,
    NAMES,
    PERMITS,
    as_made_by_numbered_migrations,
)

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("history", HISTORIES, ids=NAMES)
def test_upgrade_to_head_builds_exactly_the_tables_of_the_component(pg_url: str, history: History) -> None:
    engine = make_engine(pg_url, pool_size=1)
    try:
        assert {r.split("_")[0] for r in upgrade(engine, history)} == {"shared", history.branch}
        assert schema_differences(engine, history) == []
        assert upgrade(engine, history) == []
    finally:
        engine.dispose()


@pytest.mark.parametrize("history", HISTORIES, ids=NAMES)
def test_a_database_of_the_numbered_migrations_is_stamped_at_the_baseline_then_upgraded(
    pg_url: str, history: History
) -> None:
    engine = make_engine(pg_url, pool_size=1)
    try:
        as_made_by_numbered_migrations(engine, history)
        bases = set(history.script().get_bases())
        applied = upgrade(engine, history)
        assert not bases & set(applied)
        assert set(applied) == {r.revision for r in history.script().walk_revisions()} - bases
        assert schema_differences(engine, history) == []
        with engine.connect() as conn:
            assert len(current_heads(conn)) == 2
    finally:
        engine.dispose()


def test_permits_adoption_drops_the_dead_column_and_keeps_the_rows(pg_url: str) -> None:
    engine = make_engine(pg_url, pool_size=1)
    try:
        as_made_by_numbered_migrations(engine, PERMITS)
        with engine.begin() as conn:
            conn.execute(ENTERPRISE_WITH_OLD_FLAGS)
        assert upgrade(engine, PERMITS) == ["permits_0102"]
        with engine.connect() as conn:
            assert "risk_flags" not in {c["name"] for c in sa.inspect(conn).get_columns("enterprises")}
            assert conn.execute(sa.text("SELECT name FROM enterprises")).scalar_one() == "n"
    finally:
        engine.dispose()


def test_a_database_serves_one_component(pg_url: str) -> None:
    engine = make_engine(pg_url, pool_size=1)
    try:
        upgrade(engine, PERMITS)
        with pytest.raises(WrongDatabase, match="belongs to permits, not monitoring"):
            upgrade(engine, MONITORING)
        with engine.connect() as conn:
            assert "stations" not in sa.inspect(conn).get_table_names()
    finally:
        engine.dispose()
