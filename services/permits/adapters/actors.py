"""The actor columns every permits table shares (who made the last change, and why)."""

from __future__ import annotations

from typing import Any

from services.permits.domain.values import Actor


def actor_values(actor: Actor) -> dict[str, str]:
    """The actor as column values."""
    return dict(action_department=actor.department, action_user=actor.user, action_reason=actor.reason)


def actor_of(row: Any) -> Actor:
    """The actor recorded on a row."""
    return Actor(row.action_department, row.action_user, row.action_reason)
