"""Use cases of supply depots and their stock."""

from __future__ import annotations

import uuid
from dataclasses import replace

from services.risk.adapters import depot_repository as repo
from services.risk.domain import events as ev
from services.risk.domain.records import Depot, StockLine
from services.risk.domain.supplies import Amount, item_or_raise, merge
from services.risk.domain.values import Actor, GeoPoint, text
from services.risk.service_layer.unit_of_work import Deps, Tx, transaction
from shared import paging
from shared.errors import FailedPrecondition, InvalidArgument

UPDATABLE = {"name", "location", "town", "department", "contact", "active"}


def _details(name: str, town: str, department: str, contact: str) -> tuple[str, str, str, str]:
    return (
        text("depot.name", name, max_len=200),
        text("depot.town", town, required=False, max_len=100),
        text("depot.department", department, required=False, max_len=100),
        text("depot.contact", contact, required=False, max_len=200),
    )


def create(
    deps: Deps,
    *,
    name: str,
    location: GeoPoint,
    town: str,
    department: str,
    contact: str,
    stock: list[tuple[Amount, float]],
    active: bool = True,
) -> Depot:
    """A new depot with its initial stock ((amount, minimum) per item) (DepotChanged)."""
    name, town, department, contact = _details(name, town, department, contact)
    minimums = {a.item_code: m for a, m in stock}
    lines = tuple(
        StockLine(a.item_code, a.quantity, 0.0, minimums[a.item_code]) for a in merge([a for a, _ in stock])
    )
    with transaction(deps) as tx:
        depot = Depot(str(uuid.uuid4()), name, location, town, department, contact, active, tx.now, lines)
        repo.create(tx.conn, depot_in=depot)
        tx.publish(depot.depot_id, ev.DepotChanged(depot))
    return depot


def update(
    deps: Deps,
    *,
    depot_id: str,
    paths: list[str],
    name: str,
    location: GeoPoint | None,
    town: str,
    department: str,
    contact: str,
    active: bool,
) -> Depot:
    """Change the masked details of a depot (never its stock) (DepotChanged)."""
    unknown = sorted(set(paths) - UPDATABLE)
    if not paths or unknown:
        raise InvalidArgument(
            "update_mask", f"paths among {', '.join(sorted(UPDATABLE))}; got {unknown or 'none'}"
        )
    with transaction(deps) as tx:
        current = repo.get_or_raise(tx.conn, depot_id=depot_id, for_update=True)
        n, t, d, c = _details(
            name if "name" in paths else current.name,
            town if "town" in paths else current.town,
            department if "department" in paths else current.department,
            contact if "contact" in paths else current.contact,
        )
        if "location" in paths and location is None:
            raise InvalidArgument("depot.location", "required (WGS84 latitude and longitude)")
        updated = replace(
            current,
            name=n,
            town=t,
            department=d,
            contact=c,
            location=location if "location" in paths and location else current.location,
            active=active if "active" in paths else current.active,
            updated_at=tx.now,
        )
        repo.update(tx.conn, depot_in=updated)
        tx.publish(depot_id, ev.DepotChanged(updated))
    return updated


def get(deps: Deps, *, depot_id: str) -> Depot:
    """One depot with its stock."""
    with deps.engine.connect() as conn:
        return repo.get_or_raise(conn, depot_id=depot_id)


def get_all(
    deps: Deps, *, town: str, item_code: str, near: GeoPoint | None, page_size: int, page_token: str
) -> paging.Page[Depot]:
    """Depots by town and item, nearest first when `near` is given."""
    code = item_or_raise("item_code", item_code).code if item_code else ""
    with deps.engine.connect() as conn:
        return repo.get_all(
            conn, town=town, item_code=code, near=near, page_size=page_size, page_token=page_token
        )


def note_low(tx: Tx, depot_id: str, item_code: str) -> None:
    """Publish StockLow if the item is now below its minimum at the depot."""
    line = repo.stock_line(tx.conn, depot_id=depot_id, item_code=item_code)
    if line is not None and line.low:
        depot = repo.get_or_raise(tx.conn, depot_id=depot_id)
        tx.publish(depot_id, ev.StockLow(depot, line))


def adjust_stock(
    deps: Deps,
    *,
    depot_id: str,
    item_code: str,
    delta: float,
    unit: str,
    minimum: float | None,
    reason: str,
    actor: Actor,
) -> Depot:
    """Restock (positive) or write off (negative), and/or set the minimum; FAILED_PRECONDITION if the
    stock would go below zero (StockChanged, StockLow)."""
    item = item_or_raise("item_code", item_code)
    if unit and unit != item.unit:
        raise InvalidArgument("delta.unit", f"{item.code} is counted in {item.unit!r}, got {unit!r}")
    if delta == 0 and minimum is None:
        raise InvalidArgument("delta.value", "a non-zero change or a minimum is required")
    if minimum is not None and minimum < 0:
        raise InvalidArgument("minimum.value", "must not be negative")
    why = text("reason", reason or actor.reason, max_len=1000, free_text=True)
    with transaction(deps) as tx:
        repo.get_or_raise(tx.conn, depot_id=depot_id, for_update=True)
        line = repo.stock_line(tx.conn, depot_id=depot_id, item_code=item.code, for_update=True)
        before = line.quantity if line else 0.0
        after = repo.from_milli(repo.to_milli(before) + repo.to_milli(delta))
        if after < 0:
            raise FailedPrecondition(
                f"depot {depot_id} holds {before:g} {item.unit} of {item.code};"
                f" writing off {-delta:g} would go below zero"
            )
        repo.set_stock(
            tx.conn,
            depot_id=depot_id,
            item_code=item.code,
            quantity=after,
            minimum=minimum if minimum is not None else (line.minimum if line else 0.0),
            now=tx.now,
            exists=line is not None,
        )
        if delta:
            tx.publish(depot_id, ev.StockChanged(depot_id, item.code, before, after, why))
            note_low(tx, depot_id, item.code)
        depot = repo.get_or_raise(tx.conn, depot_id=depot_id)
    return depot
