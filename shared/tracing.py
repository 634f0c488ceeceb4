"""The trace id of the request being handled, carried from the gateway through gRPC into events."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

TRACE_METADATA_KEY = "x-trace-id"

_current: ContextVar[str] = ContextVar("trace_id", default="")
# What a caller may hand us as a trace id: it travels in gRPC metadata and into 64-character columns.
_VALID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def new_trace_id() -> str:
    """A fresh trace id (32 hex characters, as W3C trace context uses)."""
    return uuid.uuid4().hex


def current_trace_id() -> str:
    """The trace id in force, or "" outside any traced request."""
    return _current.get()


def accept(trace_id: str | None) -> str:
    """The caller's trace id if it is well formed, else a fresh one (never trust it blindly)."""
    return trace_id if trace_id and _VALID.fullmatch(trace_id) else new_trace_id()


@contextmanager
def trace_scope(trace_id: str | None) -> Iterator[str]:
    """Run a block under a trace id (a new one when none, or a malformed one, is given)."""
    token = _current.set(accept(trace_id))
    try:
        yield _current.get()
    finally:
        _current.reset(token)
