"""Emergency notifications for departments: what happened to an emergency, at a position in one
gap-free sequence, so a subscriber that reconnects resumes exactly where it stopped."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from services.risk.domain.emergencies import EmergencyStatus
from services.risk.domain.values import GeoPoint


class NotificationKind(enum.Enum):
    """Declared, regraded, supplies dispatched, closed."""

    DECLARED = "declared"
    REGRADED = "regraded"
    DISPATCHED = "dispatched"
    CLOSED = "closed"


@dataclass(frozen=True)
class Notification:
    """One notification as a subscriber receives it."""

    position: int
    kind: NotificationKind
    emergency_id: str
    title: str
    grade: int
    status: EmergencyStatus
    location: GeoPoint
    town: str
    uscc: str
    text: str
    at: datetime


ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
