"""Queries of depots, their stock and dispatch orders.

Stock rows are locked in one fixed order (depot id, then item code) by every writer, so concurrent
dispatches, restocks and returns queue on each other and never deadlock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.risk.adapters.tables import depot_stock, depots, dispatch_lines, dispatch_orders
from services.risk.domain.dispatch import DepotStock
from services.risk.domain.records import Depot, DispatchOrder, DispatchStatus, OrderLine, StockLine
from services.risk.domain.supplies import Amount
from services.risk.domain.values import Actor, GeoPoint, distance_m
from shared import paging
from shared.errors import NotFound


def to_milli(quantity: float) -> int:
    """A quantity in integer thousandths of its unit."""
    return round(quantity * 1000)


def from_milli(milli: int) -> float:
    """Thousandths back to the unit."""
    return milli / 1000


def _depot_values(d: Depot) -> dict[str, Any]:
    return dict(
        name=d.name,
        lat=d.location.lat,
        lon=d.location.lon,
        town=d.town,
        department=d.department,
        contact=d.contact,
        active=d.active,
        updated_at=d.updated_at,
    )


def create(conn: Connection, *, depot_in: Depot) -> None:
    """Insert a depot and its initial stock."""
    conn.execute(depots.insert().values(depot_id=depot_in.depot_id, **_depot_values(depot_in)))
    for line in depot_in.stock:
        conn.execute(
            depot_stock.insert().values(
                depot_id=depot_in.depot_id,
                item_code=line.item_code,
                quantity_milli=to_milli(line.quantity),
                minimum_milli=to_milli(line.minimum),
                updated_at=depot_in.updated_at,
            )
        )


def update(conn: Connection, *, depot_in: Depot) -> None:
    """Write a depot's details (never its stock)."""
    conn.execute(
        depots.update().where(depots.c.depot_id == depot_in.depot_id).values(**_depot_values(depot_in))
    )


def _line(row: Any) -> StockLine:
    return StockLine(
        row.item_code,
        from_milli(row.quantity_milli),
        from_milli(row.reserved_milli),
        from_milli(row.minimum_milli),
        row.updated_at,
    )


def _stock_of(conn: Connection, depot_ids: list[str]) -> dict[str, list[StockLine]]:
    if not depot_ids:
        return {}
    rows = conn.execute(
        sa.select(depot_stock).where(depot_stock.c.depot_id.in_(depot_ids)).order_by(depot_stock.c.item_code)
    )
    out: dict[str, list[StockLine]] = {}
    for row in rows:
        out.setdefault(row.depot_id, []).append(_line(row))
    return out


def _depot(row: Any, stock: list[StockLine]) -> Depot:
    return Depot(
        depot_id=row.depot_id,
        name=row.name,
        location=GeoPoint(row.lat, row.lon),
        town=row.town,
        department=row.department,
        contact=row.contact,
        active=row.active,
        updated_at=row.updated_at,
        stock=tuple(stock),
    )


def get_or_raise(conn: Connection, *, depot_id: str, for_update: bool = False) -> Depot:
    """One depot with its stock, or NOT_FOUND."""
    query = sa.select(depots).where(depots.c.depot_id == depot_id)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    if row is None:
        raise NotFound("depot", depot_id)
    return _depot(row, _stock_of(conn, [depot_id]).get(depot_id, []))


def get_all(
    conn: Connection, *, town: str, item_code: str, near: GeoPoint | None, page_size: int, page_token: str
) -> paging.Page[Depot]:
    """Depots by filters: by id, or by distance from `near` (then the token is an offset)."""
    size = paging.page_size(page_size)
    where: list[Any] = []
    if town:
        where.append(depots.c.town == town)
    if item_code:
        holding = sa.select(depot_stock.c.depot_id).where(
            depot_stock.c.item_code == item_code, depot_stock.c.quantity_milli > 0
        )
        where.append(depots.c.depot_id.in_(holding))
    total = conn.execute(sa.select(sa.func.count()).select_from(depots).where(*where)).scalar_one()
    after = paging.decode(page_token)
    if near is not None:
        # Distance order is computed here; a city has tens of depots, not millions.
        rows = conn.execute(sa.select(depots).where(*where)).all()
        ranked = sorted(rows, key=lambda r: (distance_m(near, GeoPoint(r.lat, r.lon)), r.depot_id))
        start = int(after) if after and after.isdigit() else 0
        shown = ranked[start : start + size]
        stock = _stock_of(conn, [r.depot_id for r in shown])
        token = paging.encode(str(start + size)) if start + size < len(ranked) else ""
        return paging.Page([_depot(r, stock.get(r.depot_id, [])) for r in shown], token, total)
    if after:
        where.append(depots.c.depot_id > after)
    rows = conn.execute(sa.select(depots).where(*where).order_by(depots.c.depot_id).limit(size + 1)).all()
    stock = _stock_of(conn, [r.depot_id for r in rows])
    return paging.slice_page(
        [_depot(r, stock.get(r.depot_id, [])) for r in rows], size, lambda d: d.depot_id, total
    )


# ---------------------------------------------------------------------------------------- stock
def candidates(conn: Connection, *, item_codes: Iterable[str]) -> list[DepotStock]:
    """Active depots holding any of the items now (an unlocked snapshot, for planning)."""
    codes = sorted(set(item_codes))
    rows = conn.execute(
        sa.select(
            depots.c.depot_id,
            depots.c.name,
            depots.c.lat,
            depots.c.lon,
            depot_stock.c.item_code,
            depot_stock.c.quantity_milli,
        )
        .join(depot_stock, depot_stock.c.depot_id == depots.c.depot_id)
        .where(
            depots.c.active.is_(True), depot_stock.c.item_code.in_(codes), depot_stock.c.quantity_milli > 0
        )
    ).all()
    return _as_depot_stock(rows)


def _as_depot_stock(rows: Iterable[Any]) -> list[DepotStock]:
    found: dict[str, tuple[Any, dict[str, float]]] = {}
    for r in rows:
        found.setdefault(r.depot_id, (r, {}))[1][r.item_code] = from_milli(r.quantity_milli)
    return [DepotStock(r.depot_id, r.name, GeoPoint(r.lat, r.lon), stock) for r, stock in found.values()]


def lock_stock(conn: Connection, *, depot_ids: Iterable[str], item_codes: Iterable[str]) -> list[DepotStock]:
    """The stock rows of these items at these depots, locked FOR UPDATE in (depot, item) order, as
    the planner sees them; the caller plans again on these locked quantities."""
    ids, codes = sorted(set(depot_ids)), sorted(set(item_codes))
    if not ids or not codes:
        return []
    locked = conn.execute(
        sa.select(depot_stock.c.depot_id, depot_stock.c.item_code, depot_stock.c.quantity_milli)
        .where(depot_stock.c.depot_id.in_(ids), depot_stock.c.item_code.in_(codes))
        .order_by(depot_stock.c.depot_id, depot_stock.c.item_code)
        .with_for_update()
    ).all()
    places = {
        r.depot_id: r
        for r in conn.execute(
            sa.select(depots.c.depot_id, depots.c.name, depots.c.lat, depots.c.lon).where(
                depots.c.depot_id.in_(ids), depots.c.active.is_(True)
            )
        )
    }
    rows = [
        _Joined(
            r.depot_id,
            places[r.depot_id].name,
            places[r.depot_id].lat,
            places[r.depot_id].lon,
            r.item_code,
            r.quantity_milli,
        )
        for r in locked
        if r.depot_id in places
    ]
    return _as_depot_stock(rows)


class _Joined:
    """A locked stock row with its depot's place."""

    def __init__(self, depot_id: str, name: str, lat: float, lon: float, item_code: str, quantity_milli: int):
        self.depot_id, self.name, self.lat, self.lon = depot_id, name, lat, lon
        self.item_code, self.quantity_milli = item_code, quantity_milli


def stock_line(
    conn: Connection, *, depot_id: str, item_code: str, for_update: bool = False
) -> StockLine | None:
    """One item's stock at a depot."""
    query = sa.select(depot_stock).where(
        depot_stock.c.depot_id == depot_id, depot_stock.c.item_code == item_code
    )
    row = conn.execute(query.with_for_update() if for_update else query).first()
    return _line(row) if row else None


def set_stock(
    conn: Connection,
    *,
    depot_id: str,
    item_code: str,
    quantity: float,
    minimum: float,
    now: datetime,
    exists: bool,
) -> None:
    """Write an item's on-hand quantity and minimum (restock, write-off)."""
    values = dict(quantity_milli=to_milli(quantity), minimum_milli=to_milli(minimum), updated_at=now)
    if exists:
        conn.execute(
            depot_stock.update()
            .where(depot_stock.c.depot_id == depot_id, depot_stock.c.item_code == item_code)
            .values(**values)
        )
    else:
        conn.execute(depot_stock.insert().values(depot_id=depot_id, item_code=item_code, **values))


def move(
    conn: Connection, *, depot_id: str, item_code: str, milli: int, source: str, target: str, now: datetime
) -> int:
    """Move `milli` thousandths between two of an item's columns (quantity, reserved, delivered),
    keeping their sum; returns the on-hand quantity after. The CHECKs refuse any negative part."""
    src, dst = depot_stock.c[f"{source}_milli"], depot_stock.c[f"{target}_milli"]
    row = conn.execute(
        depot_stock.update()
        .where(depot_stock.c.depot_id == depot_id, depot_stock.c.item_code == item_code)
        .values({src: src - milli, dst: dst + milli, depot_stock.c.updated_at: now})
        .returning(depot_stock.c.quantity_milli)
    ).first()
    if row is None:
        raise NotFound("stock line", f"{depot_id}/{item_code}")
    return int(row.quantity_milli)


def totals(conn: Connection) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(depot, item) -> (on hand, reserved, delivered) in thousandths (for checks and tests)."""
    rows = conn.execute(sa.select(depot_stock))
    return {(r.depot_id, r.item_code): (r.quantity_milli, r.reserved_milli, r.delivered_milli) for r in rows}


# ------------------------------------------------------------------------------------- dispatch
def create_order(conn: Connection, *, order_in: DispatchOrder) -> None:
    """Insert a dispatch order and its lines."""
    o = order_in
    conn.execute(
        dispatch_orders.insert().values(
            dispatch_id=o.dispatch_id,
            emergency_id=o.emergency_id,
            status=o.status.value,
            unmet=[{"item_code": a.item_code, "quantity": a.quantity} for a in o.unmet],
            dispatched_at=o.dispatched_at,
            actor_department=o.actor.department,
            actor_user=o.actor.user,
            actor_reason=o.actor.reason,
        )
    )
    for line in o.lines:
        conn.execute(
            dispatch_lines.insert().values(
                dispatch_id=o.dispatch_id,
                depot_id=line.depot_id,
                item_code=line.item_code,
                depot_name=line.depot_name,
                quantity_milli=to_milli(line.quantity),
                distance_m=line.distance_m,
                eta_minutes=line.eta_minutes,
            )
        )


def update_order(conn: Connection, *, order_in: DispatchOrder) -> None:
    """Write an order's status and its lines' returns."""
    o = order_in
    conn.execute(
        dispatch_orders.update()
        .where(dispatch_orders.c.dispatch_id == o.dispatch_id)
        .values(status=o.status.value, delivered_at=o.delivered_at)
    )
    for line in o.lines:
        conn.execute(
            dispatch_lines.update()
            .where(
                dispatch_lines.c.dispatch_id == o.dispatch_id,
                dispatch_lines.c.depot_id == line.depot_id,
                dispatch_lines.c.item_code == line.item_code,
            )
            .values(returned_milli=to_milli(line.returned))
        )


def _orders(conn: Connection, rows: list[Any]) -> list[DispatchOrder]:
    ids = [r.dispatch_id for r in rows]
    lines: dict[str, list[OrderLine]] = {}
    if ids:
        for ln in conn.execute(
            sa.select(dispatch_lines)
            .where(dispatch_lines.c.dispatch_id.in_(ids))
            .order_by(dispatch_lines.c.distance_m, dispatch_lines.c.depot_id, dispatch_lines.c.item_code)
        ):
            lines.setdefault(ln.dispatch_id, []).append(
                OrderLine(
                    ln.depot_id,
                    ln.depot_name,
                    ln.item_code,
                    from_milli(ln.quantity_milli),
                    ln.distance_m,
                    ln.eta_minutes,
                    from_milli(ln.returned_milli),
                )
            )
    return [
        DispatchOrder(
            dispatch_id=r.dispatch_id,
            emergency_id=r.emergency_id,
            lines=tuple(lines.get(r.dispatch_id, [])),
            unmet=tuple(Amount(u["item_code"], u["quantity"]) for u in r.unmet),
            status=DispatchStatus(r.status),
            dispatched_at=r.dispatched_at,
            actor=Actor(r.actor_department, r.actor_user, r.actor_reason),
            delivered_at=r.delivered_at,
        )
        for r in rows
    ]


def get_order_or_raise(conn: Connection, *, dispatch_id: str, for_update: bool = False) -> DispatchOrder:
    """One dispatch order, or NOT_FOUND."""
    query = sa.select(dispatch_orders).where(dispatch_orders.c.dispatch_id == dispatch_id)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    if row is None:
        raise NotFound("dispatch order", dispatch_id)
    return _orders(conn, [row])[0]


def get_orders(
    conn: Connection, *, emergency_id: str, depot_id: str, page_size: int, page_token: str
) -> paging.Page[DispatchOrder]:
    """Dispatch orders by filters, by id."""
    size = paging.page_size(page_size)
    where: list[Any] = []
    if emergency_id:
        where.append(dispatch_orders.c.emergency_id == emergency_id)
    if depot_id:
        where.append(
            dispatch_orders.c.dispatch_id.in_(
                sa.select(dispatch_lines.c.dispatch_id).where(dispatch_lines.c.depot_id == depot_id)
            )
        )
    total = conn.execute(sa.select(sa.func.count()).select_from(dispatch_orders).where(*where)).scalar_one()
    after = paging.decode(page_token)
    if after:
        where.append(dispatch_orders.c.dispatch_id > after)
    rows = conn.execute(
        sa.select(dispatch_orders).where(*where).order_by(dispatch_orders.c.dispatch_id).limit(size + 1)
    ).all()
    return paging.slice_page(_orders(conn, list(rows)), size, lambda o: o.dispatch_id, total)
