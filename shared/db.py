"""Database engines and the dialect helpers the components share.

PostgreSQL in CI and production, SQLite as the quick local default. Schema changes are Alembic
revisions, run by `shared.migrations`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """An engine for a service's DATABASE_URL, tuned for the backend it names."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            # pysqlite's own transaction handling breaks SAVEPOINT (a RELEASE would commit): take
            # over BEGIN ourselves, as SQLAlchemy's SQLite docs recommend.
            dbapi_conn.isolation_level = None
            # WAL lets the outbox relay read while a request writes; foreign keys are off by default.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # type: ignore[no-untyped-def]
            # IMMEDIATE takes the write lock up front, so two writers queue on busy_timeout instead
            # of failing when both try to upgrade a read lock.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return sa.create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def is_postgres(conn_or_engine: Connection | Engine) -> bool:
    """True on PostgreSQL (advisory locks, LATERAL, arrays), False on the embedded SQLite."""
    return conn_or_engine.dialect.name == "postgresql"


def upsert_insert(conn: Connection, table: sa.Table) -> Any:
    """The dialect's INSERT that knows ON CONFLICT (PostgreSQL and SQLite spell it alike)."""
    return (postgresql.insert if is_postgres(conn) else sqlite.insert)(table)


def insert_if_absent(
    conn: Connection, table: sa.Table, *, key: Sequence[str], values: dict[str, Any]
) -> bool:
    """Insert one row unless a row with the same `key` columns exists; True if this call wrote it.

    A check-then-insert lets two concurrent creators both pass the check, and the loser's INSERT
    then fails on the key; asking the database to skip a row whose key exists turns that race into
    a plain answer. On PostgreSQL a concurrent insert of the same key waits for the other
    transaction and then writes nothing if it committed.
    """
    statement = (
        upsert_insert(conn, table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(key))
        # RETURNING, not rowcount: psycopg reports no rowcount (-1) for this statement.
        .returning(*(table.c[name] for name in key))
    )
    return conn.execute(statement).first() is not None
