"""Hysteresis of exceedances: open after N consecutive readings beyond the limit, clear after M within.

One tracker per station and parameter, so at most one exceedance is open for each. Flagged readings
never reach a tracker (they raise no pollution alarm), so they neither open nor clear one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple


class Point(NamedTuple):
    """A reading as evidence: time in epoch milliseconds, value, flags.

    A named tuple, not a dataclass: one is made per reading on the ingestion path, and a tuple is
    several times cheaper to build.
    """

    ts: int
    value: float
    flags: int = 0


@dataclass(frozen=True)
class Hysteresis:
    """How many consecutive readings open and clear an exceedance."""

    open_after: int = 3
    clear_after: int = 3

    def __post_init__(self) -> None:
        if self.open_after < 1 or self.clear_after < 1:
            raise ValueError("open_after and clear_after must be at least 1")


class Change(Enum):
    """What a reading did to the tracker."""

    OPENED = "opened"
    CLEARED = "cleared"


@dataclass(frozen=True)
class Transition:
    """An exceedance opened or cleared, with the readings that made it and its peak so far."""

    change: Change
    evidence: tuple[Point, ...]
    peak_value: float | None = None
    peak_multiple: float = 0.0


@dataclass
class ExceedanceTracker:
    """The state of one station and parameter."""

    rule: Hysteresis
    is_open: bool = False
    # The current run of readings pointing the other way (beyond while closed, within while open).
    run: list[Point] = field(default_factory=list)
    # The worst reading of the open exceedance, or of the run that may open one.
    peak_value: float | None = None
    peak_multiple: float = 0.0

    def observe(self, point: Point, beyond: bool, multiple: float = 0.0) -> Transition | None:
        """Take one unflagged reading in time order; returns a transition when one happens."""
        if beyond:
            self._note_peak(point.value, multiple)
        if beyond == self.is_open:
            # The reading confirms the current state: any run towards a change is broken.
            self.run.clear()
            if not self.is_open:
                self.peak_value, self.peak_multiple = None, 0.0
            return None
        self.run.append(point)
        needed = self.rule.clear_after if self.is_open else self.rule.open_after
        if len(self.run) < needed:
            return None
        evidence = tuple(self.run)
        self.run.clear()
        self.is_open = not self.is_open
        change = Change.OPENED if self.is_open else Change.CLEARED
        transition = Transition(change, evidence, self.peak_value, self.peak_multiple)
        if not self.is_open:
            self.peak_value, self.peak_multiple = None, 0.0
        return transition

    def _note_peak(self, value: float, multiple: float) -> None:
        if self.peak_value is None or (multiple, value) > (self.peak_multiple, self.peak_value):
            self.peak_value, self.peak_multiple = value, multiple
