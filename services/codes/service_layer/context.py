"""What the use cases need, built once by bootstrap (tests pass their own clock and keys)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy.engine import Engine

from services.codes.domain.token import KeyRing
from shared.clock import Clock
from shared.topology import topic_for

SERVICE = "codes"
TOPIC = topic_for(SERVICE)
# China Standard Time has had no daylight saving since 1991, so a fixed UTC+8 names the city's days.
CHINA_TIME = timezone(timedelta(hours=8), "Asia/Shanghai")


@dataclass
class Context:
    engine: Engine
    keys: KeyRing
    clock: Clock
    public_base_url: str
    font_path: str | None = None
    # Wakes the outbox relay after a commit that wrote events, so they leave at once.
    notify: Callable[[], None] = field(default=lambda: None)

    def today(self) -> date:
        """The city's local date now."""
        return self.local_day(self.clock.now())

    @staticmethod
    def local_day(when: datetime) -> date:
        """The city's local date at a moment."""
        return when.astimezone(CHINA_TIME).date()
