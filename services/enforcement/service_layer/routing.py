"""Routing a place to its grid, and the grid's first-line owner."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from services.enforcement.adapters import grid_repository as grid_repo
from services.enforcement.domain.grids import Grid, locate
from services.enforcement.domain.values import Assignee, GeoPoint
from shared.errors import InvalidArgument


def route(conn: Connection, location: GeoPoint | None, grid_id: str) -> Grid | None:
    """The grid named (it must exist) or, without one, the grid the location lies in (None if none)."""
    if grid_id:
        found = grid_repo.get_grid(conn, grid_id)
        if found is None:
            raise InvalidArgument("grid_id", f"no grid {grid_id!r}")
        return found
    if location is None:
        return None
    return locate(location, grid_repo.all_grids(conn))


def first_owner(conn: Connection, grid: Grid | None) -> Assignee:
    """A new case's owner: the grid's first active commissioner (the grid office when it has none)."""
    if grid is None:
        return Assignee()
    for cid in grid.commissioner_ids:
        c = grid_repo.get_commissioner(conn, cid)
        if c is not None and c.active:
            return Assignee(department=c.department, commissioner_id=c.commissioner_id)
    return Assignee(department=f"grid:{grid.grid_id}")
