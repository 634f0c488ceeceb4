"""Permits' dependencies and unit of work: the shared skeleton (shared.unit_of_work), named for permits.

bootstrap.make_deps wires `translate` to entrypoints/messages.event_message, so use cases publish
domain events (domain/events.py) and never build protobuf.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.unit_of_work import Deps as BaseDeps
from shared.unit_of_work import Tx, transaction

SOURCE = "permits"

__all__ = ["SOURCE", "Deps", "Tx", "transaction"]


@dataclass(kw_only=True)
class Deps(BaseDeps):
    """What every permits use case needs (nothing beyond the shared bundle)."""

    source: str = SOURCE
