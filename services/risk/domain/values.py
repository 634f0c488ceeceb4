"""Small value rules of the risk domain: text, numbers, places, actors, risk levels."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from shared.values import GeoPoint, distance_m, finite, no_controls, non_negative, positive, text
from shared.values import geo_point as shared_geo_point

__all__ = ["GeoPoint", "distance_m", "finite", "no_controls", "non_negative", "positive", "text"]


class RiskLevel(enum.IntEnum):
    """Enterprise environmental risk levels (HJ 941-2018 clause 3 and 8); ordered, so max() is the worse."""

    GENERAL = 1  # 一般
    SIGNIFICANT = 2  # 较大
    MAJOR = 3  # 重大

    @property
    def chinese(self) -> str:
        """The level as the standard writes it."""
        return {RiskLevel.GENERAL: "一般", RiskLevel.SIGNIFICANT: "较大", RiskLevel.MAJOR: "重大"}[self]

    def raised(self, steps: int) -> RiskLevel:
        """This level raised by `steps`, capped at MAJOR (HJ 941-2018 clause 8.2: 最高等级为重大)."""
        return RiskLevel(min(int(self) + max(steps, 0), int(RiskLevel.MAJOR)))


def geo_point(field: str, lat: float, lon: float, *, required: bool = True) -> GeoPoint | None:
    """A WGS84 point; (0, 0) is taken as missing (None when not required)."""
    if not required and lat == 0 and lon == 0:
        return None
    return shared_geo_point(field, lat, lon)


@dataclass(frozen=True)
class Actor:
    """Who did something and why (department from the caller's credentials)."""

    department: str = ""
    user: str = ""
    reason: str = ""


def actor(department: str, user: str, reason: str, *, reason_required: bool = False) -> Actor:
    """An actor for an audit trail; the reason is required where a rule wants a why."""
    return Actor(
        department=text("actor.department", department, required=False, max_len=100),
        user=text("actor.user", user, required=False, max_len=100),
        reason=text("actor.reason", reason, required=reason_required, max_len=1000, free_text=True),
    )
