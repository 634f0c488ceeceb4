"""Grids: polygons validated, siblings not overlapping, every point routed to one grid by the border rule."""

from __future__ import annotations

import pytest

from services.enforcement.domain.grids import Grid, fits, grid, locate
from services.enforcement.domain.values import GeoPoint
from shared.errors import InvalidArgument


def _square(lon0: float, lat0: float, lon1: float, lat1: float) -> list[GeoPoint]:
    return [GeoPoint(lat0, lon0), GeoPoint(lat0, lon1), GeoPoint(lat1, lon1), GeoPoint(lat1, lon0)]


CITY = grid(
    grid_id="city",
    name="慈溪市",
    town="",
    parent_grid_id="",
    level=1,
    points=_square(121.0, 30.0, 121.55, 30.4),
)
WEST = grid(
    grid_id="b-west",
    name="西",
    town="浒山",
    parent_grid_id="city",
    level=2,
    points=_square(121.2, 30.1, 121.3, 30.2),
)
EAST = grid(
    grid_id="a-east",
    name="东",
    town="白沙路",
    parent_grid_id="city",
    level=2,
    points=_square(121.3, 30.1, 121.4, 30.2),
)
NORTH = grid(
    grid_id="c-north",
    name="北",
    town="附海",
    parent_grid_id="city",
    level=2,
    points=_square(121.2, 30.2, 121.3, 30.3),
)
GRIDS: list[Grid] = [CITY, WEST, EAST, NORTH]


def test_a_point_inside_goes_to_the_deepest_grid_and_outside_every_grid_to_none() -> None:
    assert locate(GeoPoint(30.15, 121.25), GRIDS) == WEST
    assert locate(GeoPoint(30.35, 121.5), GRIDS) == CITY
    assert locate(GeoPoint(31.0, 122.0), GRIDS) is None


def test_a_point_on_a_shared_border_goes_to_exactly_one_grid_whatever_the_order() -> None:
    on_vertical_border = GeoPoint(30.15, 121.3)  # between WEST and EAST: the eastern one
    on_horizontal_border = GeoPoint(30.2, 121.25)  # between WEST and NORTH: the northern one
    corner = GeoPoint(30.2, 121.3)  # WEST, EAST and NORTH meet: north-east of it is none of them
    for order in (GRIDS, list(reversed(GRIDS))):
        assert locate(on_vertical_border, order) == EAST
        assert locate(on_horizontal_border, order) == NORTH
        assert locate(corner, order) == EAST  # the smallest id among those it touches


@pytest.mark.parametrize(
    ("points", "reason"),
    [
        (_square(121.2, 30.1, 121.3, 30.2)[:2], "at least 3 distinct points"),
        ([GeoPoint(30.1, 121.2), GeoPoint(30.15, 121.25), GeoPoint(30.2, 121.3)], "no area"),
        (
            [GeoPoint(30.1, 121.2), GeoPoint(30.2, 121.3), GeoPoint(30.1, 121.3), GeoPoint(30.2, 121.2)],
            "not simple",
        ),
        (_square(121.2, 30.1, 121.6, 30.2), "outside the city"),
    ],
)
def test_bad_polygons_are_refused_with_the_reason(points: list[GeoPoint], reason: str) -> None:
    with pytest.raises(InvalidArgument, match=reason) as err:
        grid(grid_id="g", name="g", town="t", parent_grid_id="city", level=2, points=points)
    assert err.value.field.startswith("grid.boundary")


def test_a_closing_point_repeated_is_accepted_as_the_same_ring() -> None:
    ring = _square(121.2, 30.1, 121.3, 30.2)
    g = grid(grid_id="g", name="g", town="t", parent_grid_id="city", level=2, points=[*ring, ring[0]])
    assert g.boundary == tuple(ring)


def test_a_grid_must_sit_inside_its_parent_and_overlap_no_sibling() -> None:
    overlapping = grid(
        grid_id="x",
        name="x",
        town="t",
        parent_grid_id="city",
        level=2,
        points=_square(121.25, 30.15, 121.35, 30.25),
    )
    with pytest.raises(InvalidArgument, match="overlaps grid"):
        fits(overlapping, CITY, GRIDS)
    village = grid(
        grid_id="v",
        name="v",
        town="浒山",
        parent_grid_id="b-west",
        level=3,
        points=_square(121.25, 30.15, 121.35, 30.18),
    )
    with pytest.raises(InvalidArgument, match="inside its parent grid b-west"):
        fits(village, WEST, GRIDS)
    touching = grid(
        grid_id="y",
        name="y",
        town="t",
        parent_grid_id="city",
        level=2,
        points=_square(121.4, 30.1, 121.5, 30.2),
    )
    fits(touching, CITY, GRIDS)  # shares EAST's border only
