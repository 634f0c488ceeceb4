"""What the inspection half of enforcement announces (entrypoints/inspection_messages.py turns each
into its contract message), and the draw as recorded."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.enforcement.domain.draw import Exclusion
from services.enforcement.domain.inspection_tasks import Task
from services.enforcement.domain.inspections import Plan, Target
from services.enforcement.domain.values import Actor, GeoPoint


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
    # The plan as it was at the draw (its name and period travel with the event).
    plan: Plan | None = None


@dataclass(frozen=True)
class InspectionPublished:
    task: Task
    # The unit as the registry read model knows it at publication (name, town, grid) and where it is.
    unit: Target | None = None
    location: GeoPoint | None = None
