"""The contract's time and date values, the one definition every translation module uses:
`google.protobuf.Timestamp` and `eco.v1.Date` from and to Python values."""

from __future__ import annotations

from datetime import date, datetime
from typing import overload

from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import common_pb2


@overload
def timestamp(when: datetime) -> Timestamp: ...
@overload
def timestamp(when: None) -> None: ...
def timestamp(when: datetime | None) -> Timestamp | None:
    """A Timestamp of an aware datetime; None stays None (the field is then left unset)."""
    if when is None:
        return None
    ts = Timestamp()
    ts.FromDatetime(when)
    return ts


def timestamp_ms(ms: int) -> Timestamp:
    """A Timestamp from epoch milliseconds."""
    ts = Timestamp()
    ts.FromMilliseconds(ms)
    return ts


@overload
def date_pb(day: date) -> common_pb2.Date: ...
@overload
def date_pb(day: None) -> None: ...
def date_pb(day: date | None) -> common_pb2.Date | None:
    """A Date; None stays None (the field is then left unset)."""
    return common_pb2.Date(year=day.year, month=day.month, day=day.day) if day else None
