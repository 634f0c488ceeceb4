"""Evaluation's dependencies and unit of work: the shared skeleton (shared.unit_of_work) with the
credit rule book and the KPI targets.

bootstrap.make_deps wires `translate` to entrypoints/messages.event_message, so use cases publish
domain events (domain/events.py) and never build protobuf.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.evaluation.domain.rules import RuleBook
from services.evaluation.domain.targets import Targets
from shared.unit_of_work import Deps as BaseDeps
from shared.unit_of_work import Tx, transaction

SOURCE = "evaluation"

__all__ = ["SOURCE", "Deps", "Tx", "transaction"]


@dataclass(kw_only=True)
class Deps(BaseDeps):
    """What every evaluation use case needs: the shared bundle, the rules and the targets."""

    source: str = SOURCE
    rules: RuleBook
    targets: Targets
    font_path: str | None = None
