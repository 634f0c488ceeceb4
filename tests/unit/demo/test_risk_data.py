"""The demo's risk data tells the story the README promises, checked against the risk service's own
rules with no server: three different HJ 941-2018 levels, a dispatch no single depot meets."""

from __future__ import annotations

from deploy.demo import risk_data
from services.risk.domain import classification, dispatch, supplies
from services.risk.domain.values import GeoPoint, RiskLevel
from services.risk.entrypoints import requests


def test_the_three_plants_are_graded_as_the_demo_expects_and_differently() -> None:
    graded = {}
    for a in risk_data.ASSESSMENTS:
        level = classification.classify(requests.assessment_inputs(a.inputs, True)).level
        assert int(level) == a.expected, a.filing
        graded[a.serial] = level
    assert sorted(graded.values()) == [RiskLevel.GENERAL, RiskLevel.SIGNIFICANT, RiskLevel.MAJOR]


def test_every_item_named_is_in_the_services_catalogue_in_its_unit() -> None:
    named = {c for d in risk_data.DEPOTS for c in d.stock} | set(risk_data.EMERGENCY_NEEDS)
    named |= set(risk_data.FOLLOW_UP_NEEDS)
    assert named <= set(risk_data.ITEMS)
    assert all(risk_data.ITEMS[c][1] == supplies.CATALOGUE[c].unit for c in risk_data.ITEMS)


def test_the_emergency_needs_more_than_the_plants_depot_and_the_depots_meet_it() -> None:
    site = risk_data.enterprise(risk_data.EMERGENCY_SERIAL).location
    own = next(d for d in risk_data.DEPOTS if d.serial == risk_data.EMERGENCY_SERIAL)
    assert any(q > own.stock.get(c, 0) for c, q in risk_data.EMERGENCY_NEEDS.items())
    depots = [
        dispatch.DepotStock(
            depot_id=d.name,
            name=d.name,
            location=GeoPoint(d.location.lat, d.location.lon),
            stock=dict(d.stock),
        )
        for d in risk_data.DEPOTS
    ]
    needs = [supplies.Amount(c, q) for c, q in risk_data.EMERGENCY_NEEDS.items()]
    plan = dispatch.plan(GeoPoint(*site), needs, depots)
    assert plan.unmet == () and len({line.depot_id for line in plan.lines}) >= 2
