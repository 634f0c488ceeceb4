"""The editions of versioned data in force: the newest loaded of each kind."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.enforcement.adapters import data_files
from services.enforcement.adapters.tables import editions
from services.enforcement.domain.deadlines import Schedule
from services.enforcement.domain.decisions import Catalogue, WaiverList


def _current(conn: Connection, kind: str, version: str | None = None) -> dict[str, Any]:
    query = sa.select(editions.c.document).where(editions.c.kind == kind)
    if version:
        query = query.where(editions.c.version == version)
    doc: dict[str, Any] = conn.execute(query.order_by(editions.c.id.desc()).limit(1)).scalar_one()
    return doc


def catalogue(conn: Connection) -> Catalogue:
    """The provision catalogue in force."""
    return data_files.catalogue(_current(conn, "provisions"))


def waivers(conn: Connection) -> WaiverList:
    """The minor-violation list in force."""
    return data_files.waiver_list(_current(conn, "minor_violations"))


def schedule(conn: Connection, version: str | None = None) -> Schedule:
    """The stage deadlines in force (or the edition a case opened under)."""
    return data_files.schedule(_current(conn, "deadlines", version))
