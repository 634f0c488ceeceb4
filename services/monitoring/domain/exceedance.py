"""Hysteresis of exceedances: open after N consecutive readings beyond the limit, clear after M within.

One tracker per station and parameter, so at most one exceedance is open for each. Flagged readings
never reach a tracker (they raise no pollution alarm), so they neither open nor clear one. A reading
flagged only later (the start of a flat line, recognised at its Nth value) is taken back with
`withdraw_since`, which returns the tracker to where it stood before the run began.
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


# The tracker as it stood before the reading at ts: (ts, is_open, run, run length, peak value, peak
# multiple, peak distance). A plain tuple, as it is taken for most readings. The run list is never
# changed in place, only appended to or replaced, so the list and its length are a snapshot of it.
_Mark = tuple[int, bool, list[Point], int, float | None, float, float]


@dataclass
class ExceedanceTracker:
    """The state of one station and parameter."""

    rule: Hysteresis
    is_open: bool = False
    # The current run of readings pointing the other way (beyond while closed, within while open).
    # Replaced, never cleared in place: a mark may still refer to the old list.
    run: list[Point] = field(default_factory=list)
    # The worst reading of the open exceedance, or of the run that may open one.
    peak_value: float | None = None
    peak_multiple: float = 0.0
    # How far outside the limit the peak lies: ranks readings that have no multiple (pH).
    peak_distance: float = 0.0
    _mark: _Mark | None = field(default=None, repr=False)

    def observe(
        self, point: Point, beyond: bool, multiple: float = 0.0, distance: float = 0.0
    ) -> Transition | None:
        """Take one unflagged reading in time order; returns a transition when one happens."""
        if beyond:
            self._note_peak(point.value, multiple, distance)
        if beyond == self.is_open:
            # The reading confirms the current state: any run towards a change is broken.
            if self.run:
                self.run = []
            if not self.is_open:
                self.peak_value, self.peak_multiple, self.peak_distance = None, 0.0, 0.0
            return None
        self.run.append(point)
        needed = self.rule.clear_after if self.is_open else self.rule.open_after
        if len(self.run) < needed:
            return None
        evidence = tuple(self.run)
        self.run = []
        self.is_open = not self.is_open
        change = Change.OPENED if self.is_open else Change.CLEARED
        transition = Transition(change, evidence, self.peak_value, self.peak_multiple)
        if not self.is_open:
            self.peak_value, self.peak_multiple, self.peak_distance = None, 0.0, 0.0
        return transition

    def mark(self, ts: int) -> None:
        """Remember the state before the reading at ts, which may later be withdrawn with what follows."""
        run = self.run
        self._mark = (
            ts,
            self.is_open,
            run,
            len(run),
            self.peak_value,
            self.peak_multiple,
            self.peak_distance,
        )

    def withdraw_since(self, ts: int, *, still_open: bool) -> bool:
        """Forget every reading from ts on, as if never judged; False if none of them was.

        `still_open` says whether an exceedance remains open afterwards (the caller knows whether
        it rested on readings before ts). The run and peak go back to the mark; a run that pointed
        the other way (the state changed since) is dropped.
        """
        mark = self._mark
        self._mark = None
        if mark is None or mark[0] != ts:
            return False  # no reading of the run reached the tracker (all were flagged anyway)
        _, was_open, run, length, peak_value, peak_multiple, peak_distance = mark
        self.is_open = still_open
        self.run = run[:length] if was_open == still_open else []
        if was_open and not still_open:
            # Cleared by the run itself (a device stuck within the limit): nothing to peak over.
            self.peak_value, self.peak_multiple, self.peak_distance = None, 0.0, 0.0
        else:
            # The peak of the readings before the run: of the open exceedance, or of the run that
            # was heading to open one (and opened it with the run's help).
            self.peak_value, self.peak_multiple, self.peak_distance = peak_value, peak_multiple, peak_distance
        return True

    def reset(self, *, is_open: bool) -> None:
        """Set the state from the record (after a restart), with no run, peak or mark."""
        self.is_open, self.run, self._mark = is_open, [], None
        self.peak_value, self.peak_multiple, self.peak_distance = None, 0.0, 0.0

    def _note_peak(self, value: float, multiple: float, distance: float) -> None:
        # The multiple ranks first (GB 3838 exceedance multiple); where there is none (pH) the
        # distance outside the limit does, so 4.0 is worse than 5.5 against pH 6-9.
        if self.peak_value is None or (multiple, distance) > (self.peak_multiple, self.peak_distance):
            self.peak_value, self.peak_multiple, self.peak_distance = value, multiple, distance
