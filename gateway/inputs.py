"""Operators' input made into contract values, refusing as bad input (400 naming the field) what
protobuf cannot carry, instead of letting the conversion raise into a 500.

Two things a valid JSON or query value may hold that a message cannot: a time outside the range of
`google.protobuf.Timestamp` (0001-01-01..9999-12-31 UTC; a time near either end with a zone may not
even convert to UTC), and a lone UTF-16 surrogate in a string (JSON's "\\ud800" is valid JSON, yet
protobuf strings must be UTF-8, RFC 3629 section 3, which cannot encode surrogates).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import BaseModel, Field, field_validator

from shared.errors import InvalidArgument
from shared.strings import forbidden_character

EARLIEST, LATEST = "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"
# Integers the field of the message can carry (protobuf raises ValueError beyond them: a 500): a body
# outside the range is refused as bad input naming the field, and the document shows the range. The
# service keeps its own, narrower rule (e.g. an extension of 1 to 30 days).
Int32 = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Int64 = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]
NOT_UTF8 = "must be UTF-8 text (a lone surrogate such as \\ud800 cannot be encoded)"


def timestamp(field: str, when: datetime | None) -> Timestamp | None:
    """A contract Timestamp from an aware time; a time without its zone is refused (it is ambiguous),
    and so is one outside the Timestamp's range."""
    if when is None:
        return None
    if when.tzinfo is None:
        raise InvalidArgument(field, "must carry its time zone, e.g. 2026-03-02T10:00:00+08:00")
    ts = Timestamp()
    try:
        ts.FromDatetime(when)
    except (OverflowError, ValueError):
        raise InvalidArgument(
            field, "must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z"
        ) from None
    return ts


def is_utf8(value: Any) -> bool:
    """Whether every string in a value (a string, or lists and dicts of them) encodes as UTF-8."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, list | tuple | set | frozenset):
        return all(is_utf8(item) for item in value)
    if isinstance(value, dict):
        return all(is_utf8(k) and is_utf8(v) for k, v in value.items())
    return True


def utf8(field: str, value: str) -> str:
    """A string from a query or path parameter, refused (naming the field) if protobuf cannot carry it."""
    if not is_utf8(value):
        raise InvalidArgument(field, NOT_UTF8)
    return value


def text_problem(value: Any) -> str | None:
    """Why a value (a string, or lists and dicts of them) cannot be accepted as text, or None: not
    UTF-8, or a character the platform's one text rule (`shared.strings`) refuses, NUL included,
    which PostgreSQL cannot store. One walk over the value: each string is checked where it stands."""
    if isinstance(value, str):
        return forbidden_character(value) if is_utf8(value) else NOT_UTF8
    if isinstance(value, list | tuple | set | frozenset):
        return next((p for p in map(text_problem, value) if p), None)
    if isinstance(value, dict):
        return next((p for k, v in value.items() for p in (text_problem(k), text_problem(v)) if p), None)
    return None


class In(BaseModel):
    """The base of request bodies: a string field that protobuf cannot carry or the text rule refuses
    is bad input, named by its field (nested models that subclass `In` name theirs)."""

    @field_validator("*", mode="after")
    @classmethod
    def _text(cls, value: Any) -> Any:
        problem = text_problem(value)
        if problem:
            raise ValueError(problem)
        return value
