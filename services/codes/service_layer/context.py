"""What the use cases need, built once by bootstrap (tests pass their own clock, keys and registry):
the shared dependency bundle (shared.unit_of_work.Deps) with the code service's own pieces."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from services.codes.domain.status import ProfileFact
from services.codes.domain.token import KeyRing
from shared.topology import topic_for
from shared.unit_of_work import Deps

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


@dataclass(kw_only=True)
class Context(Deps):
    """The shared dependency bundle plus the code service's keys, public URL, font and registry."""

    source: str = SERVICE
    keys: KeyRing
    public_base_url: str
    font_path: str | None = None
    registry: Registry = field(default_factory=NoRegistry)
