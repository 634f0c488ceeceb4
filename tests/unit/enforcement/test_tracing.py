"""Source tracing: upstream outlets on the same river, permitted for the pollutant, ranked by movement."""

from __future__ import annotations

from services.enforcement.adapters import data_files
from services.enforcement.domain.tracing import Movement, OutletSite, River, rank, upstream
from services.enforcement.domain.values import GeoPoint

# A straight river running north along 121.3° E; the section at 30.20° N.
RIVER = River("测试河", ((121.3, 30.0), (121.3, 30.4)))
SECTION = GeoPoint(30.20, 121.3)


def _outlet(
    oid: str, lat: float, *, river: str = "测试河", permitted: frozenset[str] = frozenset({"NH3N", "COD"})
) -> OutletSite:
    return OutletSite(oid, f"U-{oid}", river, GeoPoint(lat, 121.301), permitted)


OUTLETS = [
    _outlet("near-steady", 30.195),  # ~550 m upstream, readings steady
    _outlet("far-rising", 30.17),  # ~3.3 km upstream, readings doubled
    _outlet("downstream", 30.21),  # below the section
    _outlet("too-far", 30.05),  # ~16.6 km upstream
    _outlet("other-river", 30.19, river="别的河"),
    _outlet("not-permitted", 30.19, permitted=frozenset({"COD"})),
]


def test_only_permitted_outlets_upstream_on_the_same_river_within_the_distance() -> None:
    found = upstream(SECTION, RIVER, OUTLETS, "NH3N", 10_000)
    assert [o.outlet_id for o, _ in found] == ["near-steady", "far-rising"]
    assert 500 < found[0][1] < 600 and 3_200 < found[1][1] < 3_400


def test_the_rising_outlet_ranks_first_and_carries_its_evidence() -> None:
    found = upstream(SECTION, RIVER, OUTLETS, "NH3N", 10_000)
    movements = {"near-steady": Movement(2.0, 2.0), "far-rising": Movement(2.0, 4.0)}
    ranked = rank(found, movements, parameter="NH3N", river="测试河", window_hours=6)
    assert [c.outlet_id for c in ranked] == ["far-rising", "near-steady"]
    top = ranked[0]
    assert top.score > 0 and top.method == "upstream-movement-v1"
    assert "NH3N" in top.reason and "+100%" in top.reason and "upstream on 测试河" in top.reason
    assert ranked[1].score == 0


def test_unknown_movement_scores_zero_and_says_so() -> None:
    found = upstream(SECTION, RIVER, OUTLETS, "NH3N", 10_000)
    ranked = rank(found, {}, parameter="NH3N", river="测试河", window_hours=6)
    assert all(c.score == 0 for c in ranked) and "no NH3N readings" in ranked[0].reason
    assert ranked[0].outlet_id == "near-steady"  # ties go to the nearer outlet


def test_the_demo_rivers_put_the_dyeing_plant_upstream_of_sanbajiang_and_guotang_downstream() -> None:
    river = data_files.rivers()["三八江"]
    section, _ = river.chainage(GeoPoint(30.178, 121.261))
    dyeing, offset = river.chainage(GeoPoint(30.174, 121.259))
    auto_parts, _ = river.chainage(GeoPoint(30.177, 121.245))
    assert dyeing < section < auto_parts and offset < 200
