"""50 dispatch clients at once against PostgreSQL: every unit of stock is accounted for (on hand +
reserved + delivered is what was stocked), none goes negative, and no unit is reserved twice."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from eco.v1 import common_pb2, risk_pb2
from tests.integration.risk.conftest import Risk

CLIENTS = 50
SITE = common_pb2.GeoPoint(lat=30.17, lon=121.27)
STOCKED = {"sandbag": 120.0, "absorbent": 90.0}


def _amount(item: str, value: float, unit: str) -> risk_pb2.SupplyAmount:
    return risk_pb2.SupplyAmount(item_code=item, quantity=common_pb2.Quantity(value=value, unit=unit))


def _depots(risk: Risk) -> list[str]:
    ids = []
    for i, km in enumerate((1, 4, 9)):
        depot = risk.stub.CreateDepot(
            risk_pb2.CreateDepotRequest(
                depot=risk_pb2.SupplyDepot(
                    name=f"Depot {i}",
                    location=common_pb2.GeoPoint(lat=SITE.lat + km / 111.2, lon=SITE.lon),
                    town="Hushan",
                    stock=[
                        risk_pb2.StockLine(amount=_amount("sandbag", STOCKED["sandbag"] / 3, "pcs")),
                        risk_pb2.StockLine(amount=_amount("absorbent", STOCKED["absorbent"] / 3, "kg")),
                    ],
                )
            ),
            metadata=risk.md(),
        )
        ids.append(depot.depot_id)
    return ids


def _emergency(risk: Risk, n: int) -> str:
    # Needs only what no depot holds, so declaring takes no stock; the clients dispatch afterwards.
    e = risk.stub.DeclareEmergency(
        risk_pb2.DeclareEmergencyRequest(
            title=f"Spill {n}",
            kind="water_pollution",
            grade=risk_pb2.EMERGENCY_GRADE_IV,
            location=SITE,
            needs=[_amount("dosimeter", 1, "pcs")],
        ),
        metadata=risk.md(),
    )
    return e.emergency_id


def _stock(risk: Risk) -> dict[tuple[str, str], tuple[int, int, int]]:
    with risk.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT depot_id, item_code, quantity_milli, reserved_milli, delivered_milli FROM depot_stock"
            )
        )
        return {(r[0], r[1]): (r[2], r[3], r[4]) for r in rows}


def test_fifty_concurrent_dispatches_conserve_stock(risk: Risk) -> None:
    depot_ids = _depots(risk)
    emergencies = [_emergency(risk, n) for n in range(CLIENTS)]

    def client(emergency_id: str) -> risk_pb2.DispatchOrder:
        ch, stub = risk.new_stub()
        try:
            return stub.DispatchSupplies(
                risk_pb2.DispatchSuppliesRequest(
                    emergency_id=emergency_id,
                    # Items in both orders across clients: locks are still taken in one order.
                    needs=[_amount("absorbent", 3, "kg"), _amount("sandbag", 4, "pcs")]
                    if len(emergency_id) % 2
                    else [_amount("sandbag", 4, "pcs"), _amount("absorbent", 3, "kg")],
                ),
                metadata=risk.md(),
                timeout=60,
            )
        finally:
            ch.close()

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        orders = list(pool.map(client, emergencies))

    stock = _stock(risk)
    assert {d for d, _ in stock} == set(depot_ids)
    for (_depot, item), (on_hand, reserved, delivered) in stock.items():
        assert min(on_hand, reserved, delivered) >= 0
        assert on_hand + reserved + delivered == round(STOCKED[item] / 3 * 1000)
    # Demand (200 sandbags, 150 kg absorbent) exceeds stock: everything is reserved, the rest unmet,
    # and what the orders say they took is exactly what left the shelves.
    for item in STOCKED:
        taken = sum(ln.amount.quantity.value for o in orders for ln in o.lines if ln.amount.item_code == item)
        unmet = sum(u.quantity.value for o in orders for u in o.unmet if u.item_code == item)
        reserved_units = sum(r for (_d, i), (_q, r, _dl) in stock.items() if i == item) / 1000
        assert taken == reserved_units == STOCKED[item]
        assert taken + unmet == CLIENTS * (4 if item == "sandbag" else 3)
        assert all(q == 0 for (_d, i), (q, _r, _dl) in stock.items() if i == item)
