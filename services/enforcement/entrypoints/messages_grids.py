"""Grids and commissioners as protobuf."""

from __future__ import annotations

from eco.v1 import common_pb2, enforcement_pb2
from services.enforcement.domain.commissioners import Commissioner
from services.enforcement.domain.grids import Grid

pb = enforcement_pb2


def grid(g: Grid) -> pb.Grid:
    """A grid."""
    return pb.Grid(
        grid_id=g.grid_id,
        name=g.name,
        town=g.town,
        parent_grid_id=g.parent_grid_id,
        level=g.level,
        boundary=[common_pb2.GeoPoint(lat=p.lat, lon=p.lon) for p in g.boundary],
        commissioner_ids=list(g.commissioner_ids),
    )


def commissioner(c: Commissioner) -> pb.Commissioner:
    """A commissioner."""
    return pb.Commissioner(
        commissioner_id=c.commissioner_id,
        name=c.name,
        phone=c.phone,
        grid_ids=list(c.grid_ids),
        department=c.department,
        active=c.active,
    )
