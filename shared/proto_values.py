"""The contract's time and date values, the one definition every translation module uses:
`google.protobuf.Timestamp` and `eco.v1.Date` from and to Python values, and the request values every
service checks alike (dates in range, enums known)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, overload

from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import common_pb2
from shared.errors import InvalidArgument


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


# Dates the contract accepts (REFERENCE.md: nothing before the People's Republic, nothing absurd ahead).
EARLIEST_DAY = date(1949, 1, 1)
LATEST_DAY = date(2200, 12, 31)


def day_in(field: str, value: common_pb2.Date, present: bool = True) -> date | None:
    """A request's calendar date: None when absent (or all zero); an impossible date, or one outside
    1949-01-01 .. 2200-12-31, is INVALID_ARGUMENT naming the field."""
    if not present or (value.year, value.month, value.day) == (0, 0, 0):
        return None
    try:
        parsed = date(value.year, value.month, value.day)
    except ValueError as exc:
        raise InvalidArgument(
            field, f"{value.year:04d}-{value.month:02d}-{value.day:02d} is not a date ({exc})"
        ) from None
    if not EARLIEST_DAY <= parsed <= LATEST_DAY:
        raise InvalidArgument(field, f"{parsed} is outside {EARLIEST_DAY} .. {LATEST_DAY}")
    return parsed


def enum_in(field: str, value: int, table: Mapping[Any, Any], *, required: bool = True) -> Any:
    """The domain value of a request's enum; UNSPECIFIED (0) is None when optional, refused when required,
    and a number the table does not know is INVALID_ARGUMENT."""
    if value in table:
        return table[value]
    if value == 0 and not required:
        return None
    raise InvalidArgument(field, "required" if value == 0 else f"unknown value {value}")
