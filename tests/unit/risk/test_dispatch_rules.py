"""Nearest-first dispatch across several depots, needs tables, reach and estimated arrival."""

from __future__ import annotations

import pytest

from services.risk.domain import dispatch, supplies
from services.risk.domain.supplies import Amount
from services.risk.domain.values import GeoPoint, distance_m
from shared.errors import InvalidArgument

SITE = GeoPoint(30.17, 121.27)


def _depot(depot_id: str, km_north: float, **stock: float) -> dispatch.DepotStock:
    # One degree of latitude is about 111.2 km.
    return dispatch.DepotStock(
        depot_id, depot_id.title(), GeoPoint(SITE.lat + km_north / 111.2, SITE.lon), stock
    )


def test_a_need_no_single_depot_meets_is_taken_nearest_first() -> None:
    depots = [
        _depot("far", 30, activated_carbon=5000),
        _depot("near", 2, activated_carbon=800),
        _depot("middle", 10, activated_carbon=700, pump=2),
    ]
    plan = dispatch.plan(SITE, [Amount("activated_carbon", 2000), Amount("pump", 3)], depots)
    taken = [(line.depot_id, line.item_code, line.quantity) for line in plan.lines]
    assert taken == [
        ("near", "activated_carbon", 800),
        ("middle", "activated_carbon", 700),
        ("far", "activated_carbon", 500),
        ("middle", "pump", 2),
    ]
    assert plan.unmet == (Amount("pump", 1),)
    distances = [line.distance_m for line in plan.lines[:3]]
    assert distances == sorted(distances)
    assert plan.lines[0].eta_minutes < plan.lines[2].eta_minutes


def test_depots_beyond_reach_are_not_used() -> None:
    plan = dispatch.plan(SITE, [Amount("sandbag", 10)], [_depot("far", 60, sandbag=100)], reach_m=50_000)
    assert plan.lines == () and plan.unmet == (Amount("sandbag", 10),)


def test_ties_are_broken_by_depot_id() -> None:
    a, b = _depot("b-depot", 5, absorbent=10), _depot("a-depot", 5, absorbent=10)
    plan = dispatch.plan(SITE, [Amount("absorbent", 15)], [a, b])
    assert [line.depot_id for line in plan.lines] == ["a-depot", "b-depot"]


def test_eta_grows_with_distance() -> None:
    assert dispatch.eta_minutes(0) == dispatch.LOADING_MINUTES
    # 20 km straight, x1.3 road = 26 km at 40 km/h = 39 min, + 15 loading.
    assert dispatch.eta_minutes(20_000) == 54


def test_haversine_distance() -> None:
    # One degree of latitude is about 111.2 km anywhere.
    assert distance_m(GeoPoint(30, 121), GeoPoint(31, 121)) == pytest.approx(111_195, rel=1e-3)


def test_needs_table_scales_with_grade() -> None:
    grade_iv = {a.item_code: a.quantity for a in supplies.needs_for("water_pollution", 4)}
    grade_ii = {a.item_code: a.quantity for a in supplies.needs_for("water_pollution", 2)}
    assert grade_iv["activated_carbon"] == 2000
    assert grade_ii["activated_carbon"] == 8000
    with pytest.raises(InvalidArgument, match="kind"):
        supplies.needs_for("meteor", 4)


def test_amounts_are_in_the_items_unit() -> None:
    assert supplies.amount("needs[0]", "absorbent_boom", 100, "m") == Amount("absorbent_boom", 100)
    with pytest.raises(InvalidArgument, match="unit"):
        supplies.amount("needs[0]", "absorbent_boom", 100, "kg")
    with pytest.raises(InvalidArgument, match="value"):
        supplies.amount("needs[0]", "absorbent_boom", -1, "m")
    with pytest.raises(InvalidArgument, match="unknown item"):
        supplies.amount("needs[0]", "kryptonite", 1, "")
