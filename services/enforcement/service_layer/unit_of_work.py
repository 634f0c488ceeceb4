"""Enforcement's dependencies and unit of work: the shared skeleton (shared.unit_of_work) plus the
evidence store, the river lines and the reader of outlet readings that source tracing uses.

bootstrap.make_deps wires `translate` to entrypoints/messages.event_message, so use cases publish
domain events (domain/events.py) and never build protobuf.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from services.enforcement.adapters.content_store import ContentStore
from services.enforcement.domain.tracing import Movement, River
from shared.unit_of_work import Deps as BaseDeps
from shared.unit_of_work import Tx, transaction

SOURCE = "enforcement"

__all__ = ["SOURCE", "Deps", "MovementReader", "Tx", "transaction"]

# (station id, parameter, window start, window middle, window end) -> the outlet's movement, or None.
MovementReader = Callable[[str, str, datetime, datetime, datetime], Movement | None]


def no_movements(station_id: str, parameter: str, start: datetime, middle: datetime, end: datetime) -> None:
    """A reader that knows no readings (tracing then ranks by distance alone)."""
    return None


@dataclass(kw_only=True)
class Deps(BaseDeps):
    """What every enforcement use case needs."""

    source: str = SOURCE
    store: ContentStore
    rivers: dict[str, River] = field(default_factory=dict)
    movements: MovementReader = no_movements
    # Source tracing: the farthest upstream distance considered, and each comparison window.
    trace_max_m: float = 20_000.0
    trace_window_hours: int = 6
