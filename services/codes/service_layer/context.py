"""What the use cases need, built once by bootstrap (tests pass their own clock, keys and registry)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from sqlalchemy.engine import Engine

from services.codes.domain.status import ProfileFact
from services.codes.domain.token import KeyRing
from shared import china_time
from shared.clock import Clock
from shared.topology import topic_for

SERVICE = "codes"
TOPIC = topic_for(SERVICE)


class RegistryUnavailable(Exception):
    """The registry (PermitsService) did not answer; nothing was changed."""


class Registry(Protocol):
    """The enterprise registry, asked when an enterprise's registration event was never seen here."""

    def get(self, *, uscc: str) -> ProfileFact | None:
        """The public profile of a registered enterprise; None if the registry has no such enterprise."""
        ...


class NoRegistry:
    """A registry that knows nobody (unit tests, or a deployment without permits)."""

    def get(self, *, uscc: str) -> ProfileFact | None:
        """Nobody is registered here."""
        return None


@dataclass
class Context:
    engine: Engine
    keys: KeyRing
    clock: Clock
    public_base_url: str
    font_path: str | None = None
    registry: Registry = field(default_factory=NoRegistry)
    # Wakes the outbox relay after a commit that wrote events, so they leave at once.
    notify: Callable[[], None] = field(default=lambda: None)

    def today(self) -> date:
        """The city's local date now."""
        return self.local_day(self.clock.now())

    @staticmethod
    def local_day(when: datetime) -> date:
        """The city's local date at a moment."""
        return china_time.local_day(when)
