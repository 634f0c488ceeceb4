"""Migrations apply once, in order, each recorded."""

from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest
import sqlalchemy as sa

from shared.db import Migration, make_engine, migrate

Upgrade = Callable[[sa.Connection], None]


def test_migrations_apply_once_in_order(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    order: list[int] = []

    def step(version: int, sql: str) -> Migration:
        def upgrade(conn: sa.Connection) -> None:
            order.append(version)
            conn.execute(sa.text(sql))

        return Migration(version, f"v{version}", upgrade)

    migrations = [step(2, "ALTER TABLE t ADD COLUMN b TEXT"), step(1, "CREATE TABLE t (a TEXT)")]
    assert migrate(engine, migrations) == [1, 2]
    assert migrate(engine, migrations) == []
    assert order == [1, 2]
    with engine.connect() as conn:
        conn.execute(sa.text("INSERT INTO t (a, b) VALUES ('x', 'y')"))


def test_a_failing_migration_leaves_nothing_half_done(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    bad = Migration(
        1, "bad", cast(Upgrade, lambda conn: conn.execute(sa.text("CREATE TABLE ok (a TEXT); nonsense")))
    )
    with pytest.raises(sa.exc.DBAPIError):
        migrate(engine, [bad])
    assert migrate(
        engine,
        [Migration(1, "good", cast(Upgrade, lambda c: c.execute(sa.text("CREATE TABLE ok (a TEXT)"))))],
    ) == [1]


def test_duplicate_versions_are_refused(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    noop = lambda conn: None  # noqa: E731
    with pytest.raises(ValueError, match="duplicate"):
        migrate(engine, [Migration(1, "a", noop), Migration(1, "b", noop)])


def test_a_database_serves_one_component(tmp_path: Path) -> None:
    from shared.db import WrongDatabase

    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    table = Migration(100, "t", cast(Upgrade, lambda conn: conn.execute(sa.text("CREATE TABLE t (a TEXT)"))))
    assert migrate(engine, [table], component="permits") == [100]
    assert migrate(engine, [table], component="permits") == []
    with pytest.raises(WrongDatabase, match="belongs to permits, not monitoring"):
        migrate(engine, [table], component="monitoring")
