"""Queries of grids and commissioners, and the links between them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.enforcement.adapters.tables import commissioners, grid_commissioners, grids
from services.enforcement.domain.commissioners import Commissioner
from services.enforcement.domain.grids import Grid
from services.enforcement.domain.values import GeoPoint
from shared import paging


def _links(conn: Connection, column: Any, keys: list[str]) -> dict[str, tuple[str, ...]]:
    other = (
        grid_commissioners.c.commissioner_id
        if column is grid_commissioners.c.grid_id
        else grid_commissioners.c.grid_id
    )
    found: dict[str, list[str]] = {}
    if keys:
        for key, value in conn.execute(sa.select(column, other).where(column.in_(keys)).order_by(other)):
            found.setdefault(key, []).append(value)
    return {k: tuple(v) for k, v in found.items()}


def _grids(conn: Connection, rows: Sequence[Any]) -> list[Grid]:
    links = _links(conn, grid_commissioners.c.grid_id, [r.grid_id for r in rows])
    return [
        Grid(
            r.grid_id,
            r.name,
            r.town,
            r.parent_grid_id,
            r.level,
            tuple(GeoPoint(lat, lon) for lon, lat in r.boundary),
            links.get(r.grid_id, ()),
        )
        for r in rows
    ]


def save_grid(conn: Connection, g: Grid, at: datetime, *, new: bool) -> None:
    """Insert or update a grid, and replace its commissioner links."""
    values = dict(
        name=g.name,
        town=g.town,
        parent_grid_id=g.parent_grid_id,
        level=g.level,
        boundary=[[p.lon, p.lat] for p in g.boundary],
        updated_at=at,
    )
    if new:
        conn.execute(grids.insert().values(grid_id=g.grid_id, **values))
    else:
        conn.execute(grids.update().where(grids.c.grid_id == g.grid_id).values(**values))
    conn.execute(grid_commissioners.delete().where(grid_commissioners.c.grid_id == g.grid_id))
    for cid in dict.fromkeys(g.commissioner_ids):
        conn.execute(grid_commissioners.insert().values(grid_id=g.grid_id, commissioner_id=cid))


def get_grid(conn: Connection, grid_id: str, *, for_update: bool = False) -> Grid | None:
    """One grid."""
    query = sa.select(grids).where(grids.c.grid_id == grid_id)
    rows = conn.execute(query.with_for_update() if for_update else query).all()
    return _grids(conn, rows)[0] if rows else None


def all_grids(conn: Connection) -> list[Grid]:
    """Every grid (routing reads them all: a city has hundreds, not millions)."""
    return _grids(conn, conn.execute(sa.select(grids).order_by(grids.c.grid_id)).all())


def grids_page(
    conn: Connection, *, town: str, parent: str, size: int, after: str | None
) -> paging.Page[Grid]:
    """Grids by town and parent, by id."""
    filters: list[Any] = []
    if town:
        filters.append(grids.c.town == town)
    if parent:
        filters.append(grids.c.parent_grid_id == parent)
    total = conn.execute(sa.select(sa.func.count()).select_from(grids).where(*filters)).scalar_one()
    query = sa.select(grids).where(*filters)
    if after:
        query = query.where(grids.c.grid_id > after)
    rows = conn.execute(query.order_by(grids.c.grid_id).limit(size + 1)).all()
    return paging.slice_page(_grids(conn, rows), size, lambda g: g.grid_id, total)


def lock_grids(conn: Connection) -> None:
    """Serialise grid changes (their overlap check reads every sibling): PostgreSQL advisory lock."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(727053)"))


def _commissioners(conn: Connection, rows: Sequence[Any]) -> list[Commissioner]:
    links = _links(conn, grid_commissioners.c.commissioner_id, [r.commissioner_id for r in rows])
    return [
        Commissioner(
            r.commissioner_id, r.name, r.phone, links.get(r.commissioner_id, ()), r.department, r.active
        )
        for r in rows
    ]


def save_commissioner(conn: Connection, c: Commissioner, *, new: bool) -> None:
    """Insert or update a commissioner, and replace their grid links."""
    values = dict(name=c.name, phone=c.phone, department=c.department, active=c.active)
    if new:
        conn.execute(commissioners.insert().values(commissioner_id=c.commissioner_id, **values))
    else:
        conn.execute(
            commissioners.update()
            .where(commissioners.c.commissioner_id == c.commissioner_id)
            .values(**values)
        )
    conn.execute(grid_commissioners.delete().where(grid_commissioners.c.commissioner_id == c.commissioner_id))
    for gid in dict.fromkeys(c.grid_ids):
        conn.execute(grid_commissioners.insert().values(grid_id=gid, commissioner_id=c.commissioner_id))


def get_commissioner(conn: Connection, commissioner_id: str) -> Commissioner | None:
    """One commissioner."""
    rows = conn.execute(
        sa.select(commissioners).where(commissioners.c.commissioner_id == commissioner_id)
    ).all()
    return _commissioners(conn, rows)[0] if rows else None


def existing_commissioners(conn: Connection, ids: list[str]) -> set[str]:
    """Which of these commissioner ids exist."""
    if not ids:
        return set()
    return set(
        conn.execute(
            sa.select(commissioners.c.commissioner_id).where(commissioners.c.commissioner_id.in_(ids))
        ).scalars()
    )


def existing_grids(conn: Connection, ids: list[str]) -> set[str]:
    """Which of these grid ids exist."""
    if not ids:
        return set()
    return set(conn.execute(sa.select(grids.c.grid_id).where(grids.c.grid_id.in_(ids))).scalars())


def commissioners_page(
    conn: Connection, *, grid_id: str, active_only: bool, size: int, after: str | None
) -> paging.Page[Commissioner]:
    """Commissioners by grid and activity, by id."""
    filters: list[Any] = []
    if grid_id:
        filters.append(
            commissioners.c.commissioner_id.in_(
                sa.select(grid_commissioners.c.commissioner_id).where(grid_commissioners.c.grid_id == grid_id)
            )
        )
    if active_only:
        filters.append(commissioners.c.active.is_(True))
    total = conn.execute(sa.select(sa.func.count()).select_from(commissioners).where(*filters)).scalar_one()
    query = sa.select(commissioners).where(*filters)
    if after:
        query = query.where(commissioners.c.commissioner_id > after)
    rows = conn.execute(query.order_by(commissioners.c.commissioner_id).limit(size + 1)).all()
    return paging.slice_page(_commissioners(conn, rows), size, lambda c: c.commissioner_id, total)
