"""A small city of grids for enforcement's integration tests, created through the API."""

from __future__ import annotations

from eco.v1 import common_pb2
from eco.v1 import enforcement_pb2 as pb
from tests.integration.enforcement.conftest import Enforcement


def square(lon0: float, lat0: float, lon1: float, lat1: float) -> list[common_pb2.GeoPoint]:
    """A rectangle's corners."""
    return [
        common_pb2.GeoPoint(lat=lat0, lon=lon0),
        common_pb2.GeoPoint(lat=lat0, lon=lon1),
        common_pb2.GeoPoint(lat=lat1, lon=lon1),
        common_pb2.GeoPoint(lat=lat1, lon=lon0),
    ]


def city(e: Enforcement) -> None:
    """The city, a western town grid (浒山, with a commissioner) and an eastern one sharing 121.3° E."""
    e.stub.CreateGrid(
        pb.CreateGridRequest(
            grid=pb.Grid(grid_id="city", name="慈溪市", level=1, boundary=square(121.0, 30.0, 121.55, 30.4))
        ),
        metadata=e.md(),
    )
    for gid, town, lon0, lon1 in (("west", "浒山", 121.2, 121.3), ("east", "白沙路", 121.3, 121.4)):
        e.stub.CreateGrid(
            pb.CreateGridRequest(
                grid=pb.Grid(
                    grid_id=gid,
                    name=f"{town}网格",
                    town=town,
                    parent_grid_id="city",
                    level=2,
                    boundary=square(lon0, 30.1, lon1, 30.2),
                )
            ),
            metadata=e.md(),
        )
    e.stub.CreateCommissioner(
        pb.CreateCommissionerRequest(
            commissioner=pb.Commissioner(
                commissioner_id="wgy-1",
                name="王网格",
                phone="13800000000",
                grid_ids=["west"],
                department="浒山街道",
                active=True,
            )
        ),
        metadata=e.md(),
    )
