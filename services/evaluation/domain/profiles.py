"""An enterprise's public profile as evaluation needs it (town, grid, industry, permit class,
radiation flag), derived from its registration and update facts: the newest one wins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.evaluation.domain.facts import Fact, sort_key

PROFILE_TYPES = ("EnterpriseRegistered", "EnterpriseUpdated")
# Classes that need a discharge permit (排污许可管理条例 2021 art. 2: key and simplified
# management; registration-class units only file a registration form).
PERMIT_REQUIRED = ("KEY", "SIMPLIFIED")


@dataclass(frozen=True)
class Profile:
    uscc: str
    name: str
    town: str
    grid: str
    industry: str
    permit_class: str
    radiation: bool
    registered_at: datetime
    as_of: datetime

    @property
    def needs_permit(self) -> bool:
        """Whether the enterprise must hold a discharge permit."""
        return self.permit_class in PERMIT_REQUIRED


def profile(facts: list[Fact]) -> Profile | None:
    """The profile the newest registry fact gives (registered from the earliest one); None if none."""
    mine = sorted((f for f in facts if f.type in PROFILE_TYPES), key=sort_key)
    if not mine:
        return None
    newest = mine[-1]
    return Profile(
        uscc=newest.uscc,
        name=str(newest.get("name", "")),
        town=newest.town,
        grid=str(newest.get("grid", "")),
        industry=str(newest.get("industry", "")),
        permit_class=str(newest.get("permit_class", "")),
        radiation=bool(newest.get("radiation", False)),
        registered_at=mine[0].at,
        as_of=newest.at,
    )
