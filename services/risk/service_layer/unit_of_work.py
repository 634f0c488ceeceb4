"""Risk's dependencies and unit of work: the shared skeleton (shared.unit_of_work), named for risk.

bootstrap.make_deps wires `translate` to entrypoints/messages.event_message, so use cases publish
domain events (domain/events.py) and never build protobuf.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from services.risk.domain import dispatch, manifests
from shared.unit_of_work import Deps as BaseDeps
from shared.unit_of_work import Tx, transaction

SOURCE = "risk"

__all__ = ["SOURCE", "Deps", "Tx", "transaction"]


@dataclass(kw_only=True)
class Deps(BaseDeps):
    """What every risk use case needs: the shared bundle and the local planning figures."""

    source: str = SOURCE
    reach_m: float = dispatch.DEFAULT_REACH_M
    manifest_tolerance: float = manifests.DEFAULT_TOLERANCE
    manifest_deadline: timedelta = manifests.DEFAULT_DEADLINE
