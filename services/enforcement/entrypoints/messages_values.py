"""The contract's shared values (GeoPoint, Actor, Assignee) from domain values, for every
translation module of enforcement."""

from __future__ import annotations

from eco.v1 import common_pb2, enforcement_pb2
from services.enforcement.domain.values import Actor, Assignee, GeoPoint

pb = enforcement_pb2


def geo(point: GeoPoint | None) -> common_pb2.GeoPoint | None:
    """A protobuf GeoPoint (None stays unset)."""
    return common_pb2.GeoPoint(lat=point.lat, lon=point.lon) if point else None


def actor(a: Actor) -> common_pb2.Actor:
    """A protobuf Actor."""
    return common_pb2.Actor(department=a.department, user=a.user, reason=a.reason)


def assignee(a: Assignee) -> pb.Assignee:
    """A protobuf Assignee."""
    return pb.Assignee(department=a.department, user=a.user, commissioner_id=a.commissioner_id)
