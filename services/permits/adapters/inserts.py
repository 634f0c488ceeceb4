"""INSERT ... ON CONFLICT DO NOTHING for PostgreSQL and SQLite alike.

A check-then-insert lets two concurrent creators both pass the check, and the loser's INSERT then
fails on the key (an INTERNAL error). Asking the database to skip a row whose key exists, and
reading whether it wrote one, turns that race into a plain answer: created, or already there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from shared.db import is_postgres


def insert_if_absent(
    conn: Connection, table: sa.Table, *, key: Sequence[str], values: dict[str, Any]
) -> bool:
    """Insert one row unless a row with the same `key` columns exists; True if this call wrote it.

    On PostgreSQL a concurrent insert of the same key waits for the other transaction and then
    writes nothing if it committed.
    """
    insert = postgresql.insert if is_postgres(conn) else sqlite.insert
    statement = (
        insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(key))
        # RETURNING, not rowcount: psycopg reports no rowcount (-1) for this statement.
        .returning(*(table.c[name] for name in key))
    )
    return conn.execute(statement).first() is not None
