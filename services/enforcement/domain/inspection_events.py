"""What the inspection half of enforcement announces (entrypoints/inspection_messages.py turns each
into its contract message), and the draw as recorded."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.enforcement.domain.draw import Exclusion
from services.enforcement.domain.inspection_tasks import Task
from services.enforcement.domain.values import Actor


@dataclass(frozen=True)
class DrawRecord:
    """A draw as recorded once: the published document (inputs, hash, selection) and its context."""

    draw_id: str
    plan_id: str
    published: Mapping[str, Any]
    exclusions: tuple[Exclusion, ...]
    drawn_at: datetime
    drawn_by: Actor
    task_ids: Mapping[str, str]  # uscc -> task


@dataclass(frozen=True)
class DrawMade:
    draw: DrawRecord


@dataclass(frozen=True)
class InspectionPublished:
    task: Task
