"""Small value rules of the enforcement domain: text, numbers, places, actors, owners."""

from __future__ import annotations

from dataclasses import dataclass

from shared.errors import InvalidArgument
from shared.values import GeoPoint, finite, geo_point, text

__all__ = ["GeoPoint", "finite", "geo_point", "text"]


@dataclass(frozen=True)
class Actor:
    """Who did something and why (the department comes from the caller's credentials)."""

    department: str
    user: str = ""
    reason: str = ""


def actor(department: str, user: str, reason: str, *, field: str = "actor") -> Actor:
    """An actor for a ledger entry, its texts checked."""
    return Actor(
        department=department or "",
        user=text(f"{field}.user", user, required=False, max_len=100),
        reason=text(f"{field}.reason", reason, required=False, max_len=1000, free_text=True),
    )


@dataclass(frozen=True)
class Assignee:
    """The owner of a case's current stage: a department, optionally a person or a commissioner."""

    department: str = ""
    user: str = ""
    commissioner_id: str = ""


def assignee(field: str, department: str, user: str, commissioner_id: str) -> Assignee:
    """An owner; at least a department or a commissioner."""
    owner = Assignee(
        text(f"{field}.department", department, required=False, max_len=100),
        text(f"{field}.user", user, required=False, max_len=100),
        text(f"{field}.commissioner_id", commissioner_id, required=False, max_len=64),
    )
    if not owner.department and not owner.commissioner_id:
        raise InvalidArgument(field, "a department or a commissioner is required")
    return owner
