"""The trace id of the request being handled, carried from the gateway through gRPC into events."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

TRACE_METADATA_KEY = "x-trace-id"

_current: ContextVar[str] = ContextVar("trace_id", default="")


def new_trace_id() -> str:
    """A fresh trace id (32 hex characters, as W3C trace context uses)."""
    return uuid.uuid4().hex


def current_trace_id() -> str:
    """The trace id in force, or "" outside any traced request."""
    return _current.get()


@contextmanager
def trace_scope(trace_id: str | None) -> Iterator[str]:
    """Run a block under a trace id (a new one when none is given)."""
    token = _current.set(trace_id or new_trace_id())
    try:
        yield _current.get()
    finally:
        _current.reset(token)
