"""Grid commissioners (网格员): who receives the problems routed to their grids."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.enforcement.domain.values import text


@dataclass(frozen=True)
class Commissioner:
    """A commissioner and the grids they serve."""

    commissioner_id: str
    name: str
    phone: str
    grid_ids: tuple[str, ...]
    department: str
    active: bool


def commissioner(
    *, commissioner_id: str, name: str, phone: str, grid_ids: Sequence[str], department: str, active: bool
) -> Commissioner:
    """A commissioner's fields checked."""
    return Commissioner(
        text("commissioner.commissioner_id", commissioner_id, max_len=64),
        text("commissioner.name", name, max_len=100),
        text("commissioner.phone", phone, required=False, max_len=40),
        tuple(dict.fromkeys(text("commissioner.grid_ids", g, max_len=64) for g in grid_ids)),
        text("commissioner.department", department, required=False, max_len=100),
        active,
    )
