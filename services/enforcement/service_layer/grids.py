"""Grid and commissioner use cases: create, change, read, and route a point."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from services.enforcement.adapters import grid_repository as grid_repo
from services.enforcement.domain import grids as geo
from services.enforcement.domain.commissioners import Commissioner
from services.enforcement.domain.events import GridChanged
from services.enforcement.domain.grids import Grid
from services.enforcement.domain.values import GeoPoint
from services.enforcement.service_layer.unit_of_work import Deps, Tx, transaction
from shared import paging
from shared.errors import AlreadyExists, InvalidArgument, NotFound

GRID_FIELDS = ("name", "town", "parent_grid_id", "level", "boundary", "commissioner_ids")
COMMISSIONER_FIELDS = ("name", "phone", "grid_ids", "department", "active")


def _place(tx: Tx, g: Grid) -> None:
    """Check a grid against its parent and siblings, and that its commissioners exist."""
    grid_repo.lock_grids(tx.conn)
    parent = grid_repo.get_grid(tx.conn, g.parent_grid_id) if g.parent_grid_id else None
    if g.parent_grid_id and parent is None:
        raise InvalidArgument("grid.parent_grid_id", f"no grid {g.parent_grid_id!r}")
    siblings = [o for o in grid_repo.all_grids(tx.conn) if o.parent_grid_id == g.parent_grid_id]
    geo.fits(g, parent, siblings)
    unknown = sorted(
        set(g.commissioner_ids) - grid_repo.existing_commissioners(tx.conn, list(g.commissioner_ids))
    )
    if unknown:
        raise InvalidArgument("grid.commissioner_ids", f"no commissioner {', '.join(unknown)}")


def create_grid(deps: Deps, g: Grid) -> Grid:
    """CreateGrid: a new grid, its polygon inside its parent and overlapping no sibling."""
    with transaction(deps) as tx:
        if grid_repo.get_grid(tx.conn, g.grid_id) is not None:
            raise AlreadyExists("grid", g.grid_id)
        _place(tx, g)
        grid_repo.save_grid(tx.conn, g, tx.now, new=True)
        tx.publish(g.grid_id, GridChanged(g))
    return g


def update_grid(deps: Deps, changes: Grid, paths: Sequence[str]) -> Grid:
    """UpdateGrid: the masked fields replaced, the result checked as a whole."""
    unknown = [p for p in paths if p not in GRID_FIELDS]
    if unknown or not paths:
        raise InvalidArgument(
            "update_mask", f"paths must be among {', '.join(GRID_FIELDS)}; got {list(paths)}"
        )
    with transaction(deps) as tx:
        current = grid_repo.get_grid(tx.conn, changes.grid_id, for_update=True)
        if current is None:
            raise NotFound("grid", changes.grid_id)
        merged = replace(current, **{p: getattr(changes, p) for p in paths})
        checked = geo.grid(
            grid_id=merged.grid_id,
            name=merged.name,
            town=merged.town,
            parent_grid_id=merged.parent_grid_id,
            level=merged.level,
            points=merged.boundary,
            commissioner_ids=merged.commissioner_ids,
        )
        _place(tx, checked)
        grid_repo.save_grid(tx.conn, checked, tx.now, new=False)
        tx.publish(checked.grid_id, GridChanged(checked))
    return checked


def get_grid(deps: Deps, *, grid_id: str) -> Grid:
    """One grid."""
    with deps.engine.connect() as conn:
        found = grid_repo.get_grid(conn, grid_id)
    if found is None:
        raise NotFound("grid", grid_id)
    return found


def get_grids(
    deps: Deps, *, town: str, parent_grid_id: str, page_size: int, page_token: str
) -> paging.Page[Grid]:
    """Grids by town and parent."""
    size, after = paging.page_size(page_size), paging.decode(page_token)
    with deps.engine.connect() as conn:
        return grid_repo.grids_page(conn, town=town, parent=parent_grid_id, size=size, after=after)


def locate(deps: Deps, *, point: GeoPoint) -> Grid:
    """LocateGrid: the one grid a point is routed to (NOT_FOUND outside every grid)."""
    with deps.engine.connect() as conn:
        found = geo.locate(point, grid_repo.all_grids(conn))
    if found is None:
        raise NotFound("grid containing point", f"{point.lat},{point.lon}")
    return found


def _grids_exist(tx: Tx, c: Commissioner) -> None:
    unknown = sorted(set(c.grid_ids) - grid_repo.existing_grids(tx.conn, list(c.grid_ids)))
    if unknown:
        raise InvalidArgument("commissioner.grid_ids", f"no grid {', '.join(unknown)}")


def create_commissioner(deps: Deps, c: Commissioner) -> Commissioner:
    """CreateCommissioner."""
    with transaction(deps) as tx:
        if grid_repo.get_commissioner(tx.conn, c.commissioner_id) is not None:
            raise AlreadyExists("commissioner", c.commissioner_id)
        _grids_exist(tx, c)
        grid_repo.save_commissioner(tx.conn, c, new=True)
    return c


def update_commissioner(deps: Deps, changes: Commissioner, paths: Sequence[str]) -> Commissioner:
    """UpdateCommissioner: the masked fields replaced."""
    unknown = [p for p in paths if p not in COMMISSIONER_FIELDS]
    if unknown or not paths:
        raise InvalidArgument(
            "update_mask", f"paths must be among {', '.join(COMMISSIONER_FIELDS)}; got {list(paths)}"
        )
    with transaction(deps) as tx:
        current = grid_repo.get_commissioner(tx.conn, changes.commissioner_id)
        if current is None:
            raise NotFound("commissioner", changes.commissioner_id)
        merged = replace(current, **{p: getattr(changes, p) for p in paths})
        _grids_exist(tx, merged)
        grid_repo.save_commissioner(tx.conn, merged, new=False)
    return merged


def get_commissioners(
    deps: Deps, *, grid_id: str, active_only: bool, page_size: int, page_token: str
) -> paging.Page[Commissioner]:
    """Commissioners by grid."""
    size, after = paging.page_size(page_size), paging.decode(page_token)
    with deps.engine.connect() as conn:
        return grid_repo.commissioners_page(
            conn, grid_id=grid_id, active_only=active_only, size=size, after=after
        )
