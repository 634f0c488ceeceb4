"""Use cases of dispatch: the preview, the atomic reservation, delivery and returns.

DispatchSupplies plans on an unlocked snapshot to learn which depots matter, locks their stock rows
in (depot, item) order, plans again on the locked quantities and moves exactly what the second
plan takes from stock to reserved; concurrent dispatches queue on the rows they share, so none can
take a unit another took, and the CHECK constraints refuse a negative stock should a bug try.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from services.risk.adapters import depot_repository as repo
from services.risk.adapters import emergency_repository as emergency_repo
from services.risk.domain import dispatch as planner
from services.risk.domain import emergencies as emergency_rules
from services.risk.domain import events as ev
from services.risk.domain.emergencies import Emergency
from services.risk.domain.notifications import NotificationKind
from services.risk.domain.records import DispatchOrder, DispatchStatus, OrderLine
from services.risk.domain.supplies import Amount, merge
from services.risk.domain.values import Actor, GeoPoint, distance_m, non_negative
from services.risk.service_layer import depots
from services.risk.service_layer.unit_of_work import Deps, Tx, transaction
from shared import paging
from shared.errors import FailedPrecondition, InvalidArgument


def reach(deps: Deps, max_distance_m: float) -> float:
    """The reach asked for, or the service's default for 0."""
    return non_negative("max_distance_m", max_distance_m) or deps.reach_m


def plan(deps: Deps, *, location: GeoPoint, needs: list[Amount], max_distance_m: float) -> planner.Plan:
    """What a dispatch would take, reserving nothing."""
    if not needs:
        raise InvalidArgument("needs", "at least one item")
    wanted = merge(needs)
    with deps.engine.connect() as conn:
        found = repo.candidates(conn, item_codes=[a.item_code for a in wanted])
    return planner.plan(location, wanted, found, reach_m=reach(deps, max_distance_m))


def dispatch_in(
    tx: Tx, emergency: Emergency, needs: list[Amount], reach_m: float, actor: Actor
) -> DispatchOrder:
    """Reserve supplies for an emergency inside the caller's transaction (the emergency row is locked
    by the caller); publishes SuppliesDispatched, StockChanged per line and SupplyShortage."""
    emergency_rules.open_or_raise(emergency)
    wanted = merge(needs)
    codes = [a.item_code for a in wanted]
    # Every depot within reach holding any needed item is locked, not only those a snapshot plan
    # would pick: a depot emptied meanwhile sends the locked plan further out, to one already locked.
    in_reach = {
        d.depot_id
        for d in repo.candidates(tx.conn, item_codes=codes)
        if distance_m(emergency.location, d.location) <= reach_m
    }
    locked = repo.lock_stock(tx.conn, depot_ids=in_reach, item_codes=codes)
    final = planner.plan(emergency.location, wanted, locked, reach_m=reach_m)
    dispatch_id = str(uuid.uuid4())
    lines = []
    for line in final.lines:
        milli = repo.to_milli(line.quantity)
        if milli <= 0:
            continue
        before = next(d.stock[line.item_code] for d in locked if d.depot_id == line.depot_id)
        after = repo.move(
            tx.conn,
            depot_id=line.depot_id,
            item_code=line.item_code,
            milli=milli,
            source="quantity",
            target="reserved",
            now=tx.now,
        )
        lines.append(
            OrderLine(
                line.depot_id,
                line.depot_name,
                line.item_code,
                repo.from_milli(milli),
                line.distance_m,
                line.eta_minutes,
            )
        )
        tx.publish(
            line.depot_id,
            ev.StockChanged(
                line.depot_id, line.item_code, before, repo.from_milli(after), "dispatch", dispatch_id
            ),
        )
        depots.note_low(tx, line.depot_id, line.item_code)
    order = DispatchOrder(
        dispatch_id,
        emergency.emergency_id,
        tuple(lines),
        final.unmet,
        DispatchStatus.DISPATCHED,
        tx.now,
        actor,
    )
    repo.create_order(tx.conn, order_in=order)
    responding = emergency_rules.dispatched(emergency, dispatch_id)
    emergency_repo.update(tx.conn, emergency_in=responding)
    tx.publish(responding.subject, ev.SuppliesDispatched(order, responding))
    if order.unmet:
        tx.publish(responding.subject, ev.SupplyShortage(emergency.emergency_id, dispatch_id, order.unmet))
    emergency_repo.append_notification(
        tx.conn,
        kind=NotificationKind.DISPATCHED,
        emergency=responding,
        text=f"{len(lines)} line(s) of supplies dispatched to {responding.title}"
        + (
            f"; unmet: {', '.join(f'{a.quantity:g} {a.item.unit} {a.item_code}' for a in order.unmet)}"
            if order.unmet
            else ""
        ),
        at=tx.now,
    )
    return order


def dispatch(
    deps: Deps, *, emergency_id: str, needs: list[Amount], max_distance_m: float, actor: Actor
) -> DispatchOrder:
    """Dispatch supplies to an emergency from the nearest depots, atomically."""
    if not needs:
        raise InvalidArgument("needs", "at least one item")
    reach_m = reach(deps, max_distance_m)
    with transaction(deps) as tx:
        emergency = emergency_repo.get_or_raise(tx.conn, emergency_id=emergency_id, for_update=True)
        return dispatch_in(tx, emergency, needs, reach_m, actor)


def get(deps: Deps, *, dispatch_id: str) -> DispatchOrder:
    """One dispatch order."""
    with deps.engine.connect() as conn:
        return repo.get_order_or_raise(conn, dispatch_id=dispatch_id)


def get_all(
    deps: Deps, *, emergency_id: str, depot_id: str, page_size: int, page_token: str
) -> paging.Page[DispatchOrder]:
    """Dispatch orders by emergency or depot."""
    with deps.engine.connect() as conn:
        return repo.get_orders(
            conn, emergency_id=emergency_id, depot_id=depot_id, page_size=page_size, page_token=page_token
        )


def _locked_lines(tx: Tx, order: DispatchOrder) -> None:
    # The same (depot, item) order as dispatch, so deliveries and returns queue with it.
    repo.lock_stock(
        tx.conn,
        depot_ids=[ln.depot_id for ln in order.lines],
        item_codes=[ln.item_code for ln in order.lines],
    )


def confirm_delivery(deps: Deps, *, dispatch_id: str, actor: Actor) -> DispatchOrder:
    """The supplies arrived: what is still reserved becomes delivered (DispatchUpdated)."""
    with transaction(deps) as tx:
        order = repo.get_order_or_raise(tx.conn, dispatch_id=dispatch_id, for_update=True)
        if order.status is not DispatchStatus.DISPATCHED:
            raise FailedPrecondition(
                f"dispatch {dispatch_id} is {order.status.value}; only a dispatched order is delivered"
            )
        _locked_lines(tx, order)
        for line in order.lines:
            milli = repo.to_milli(line.quantity - line.returned)
            if milli:
                repo.move(
                    tx.conn,
                    depot_id=line.depot_id,
                    item_code=line.item_code,
                    milli=milli,
                    source="reserved",
                    target="delivered",
                    now=tx.now,
                )
        updated = replace(order, status=DispatchStatus.DELIVERED, delivered_at=tx.now)
        repo.update_order(tx.conn, order_in=updated)
        emergency = emergency_repo.get_or_raise(tx.conn, emergency_id=order.emergency_id)
        tx.publish(emergency.subject, ev.DispatchUpdated(updated, order.status))
    return updated


def return_supplies(
    deps: Deps, *, dispatch_id: str, returns: list[tuple[str, Amount]], actor: Actor
) -> DispatchOrder:
    """Unused supplies go back to their depots' stock (from reserved, or delivered once delivered),
    each at most what the line took less what came back already (DispatchUpdated, StockChanged)."""
    if not returns:
        raise InvalidArgument("lines", "at least one line to return")
    with transaction(deps) as tx:
        order = repo.get_order_or_raise(tx.conn, dispatch_id=dispatch_id, for_update=True)
        _locked_lines(tx, order)
        lines = {(ln.depot_id, ln.item_code): ln for ln in order.lines}
        source = "delivered" if order.status is not DispatchStatus.DISPATCHED else "reserved"
        for i, (depot_id, amount) in enumerate(returns):
            line = lines.get((depot_id, amount.item_code))
            if line is None:
                raise InvalidArgument(
                    f"lines[{i}]", f"dispatch {dispatch_id} took no {amount.item_code} from {depot_id}"
                )
            left = repo.to_milli(line.quantity) - repo.to_milli(line.returned)
            milli = repo.to_milli(amount.quantity)
            if milli > left:
                raise InvalidArgument(
                    f"lines[{i}].quantity",
                    f"at most {repo.from_milli(left):g} {amount.item.unit} is left to return",
                )
            before = repo.stock_line(tx.conn, depot_id=depot_id, item_code=amount.item_code)
            after = repo.move(
                tx.conn,
                depot_id=depot_id,
                item_code=amount.item_code,
                milli=milli,
                source=source,
                target="quantity",
                now=tx.now,
            )
            lines[(depot_id, amount.item_code)] = replace(
                line, returned=repo.from_milli(repo.to_milli(line.returned) + milli)
            )
            tx.publish(
                depot_id,
                ev.StockChanged(
                    depot_id,
                    amount.item_code,
                    before.quantity if before else 0.0,
                    repo.from_milli(after),
                    "return",
                    dispatch_id,
                ),
            )
        all_back = all(repo.to_milli(ln.returned) == repo.to_milli(ln.quantity) for ln in lines.values())
        updated = replace(
            order,
            lines=tuple(lines[(ln.depot_id, ln.item_code)] for ln in order.lines),
            status=DispatchStatus.RETURNED
            if all_back or order.status is DispatchStatus.DELIVERED
            else order.status,
        )
        repo.update_order(tx.conn, order_in=updated)
        emergency = emergency_repo.get_or_raise(tx.conn, emergency_id=order.emergency_id)
        tx.publish(emergency.subject, ev.DispatchUpdated(updated, order.status))
    return updated
