"""Data-quality rules: missing data, flat line, out of physical range, negative concentration.

A reading a rule flags is stored with the flag and shown, but it raises no pollution alarm; the
device gets a DeviceFault instead, once per fault (the fault stays open until the device behaves).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from services.monitoring.domain.exceedance import Point
from services.monitoring.domain.parameters import ParameterKind

# Reading.flags bits (eco.v1.ReadingFlag): 0-7 from the device (HJ 212-2017 data flags), 8+ ours.
DEVICE_FLAGS = 0xFF
FLAT_LINE = 256
OUT_OF_RANGE = 512
NEGATIVE = 1024
PLATFORM_FLAGS = FLAT_LINE | OUT_OF_RANGE | NEGATIVE


class FaultKind(IntEnum):
    """Values match eco.v1.FaultKind."""

    MISSING_DATA = 1
    FLAT_LINE = 2
    OUT_OF_RANGE = 3
    NEGATIVE_CONCENTRATION = 4


@dataclass(frozen=True)
class QualityRules:
    """Thresholds of the rules (local practice, so configurable)."""

    flat_line_count: int = 8
    missing_after_intervals: int = 3

    def __post_init__(self) -> None:
        if self.flat_line_count < 2 or self.missing_after_intervals < 1:
            raise ValueError("flat_line_count must be >= 2 and missing_after_intervals >= 1")


def range_flags(value: float, kind: ParameterKind) -> int:
    """Flags of the stateless rules: a negative concentration, else a value outside the physical range."""
    if kind.concentration and value < 0:
        return NEGATIVE
    if value < kind.low or value > kind.high:
        return OUT_OF_RANGE
    return 0


@dataclass(frozen=True)
class FaultChange:
    """A fault opened or closed. A gap found on arrival opens and closes at once."""

    kind: FaultKind
    opened: bool
    closed: bool
    ts: int
    detail: str = ""
    evidence: tuple[Point, ...] = ()


@dataclass
class SeriesQuality:
    """The quality state of one station and parameter, fed its readings in time order."""

    rules: QualityRules
    kind: ParameterKind
    interval_ms: int
    last_ts: int | None = None
    open_faults: set[FaultKind] = field(default_factory=set)
    flat_value: float | None = None
    flat_length: int = 0
    flat_run: list[Point] = field(default_factory=list)

    def observe(self, point: Point) -> tuple[int, list[FaultChange], tuple[Point, ...]]:
        """Flags for the reading, the faults it opens or closes, and earlier readings to flag now."""
        changes: list[FaultChange] = []
        self._check_gap(point, changes)
        flags = point.flags | range_flags(point.value, self.kind)
        retro: tuple[Point, ...] = ()
        if self.kind.flat_line_check and not flags & DEVICE_FLAGS:
            flat, retro = self._flat_line(point)
            if flat:
                flags |= FLAT_LINE
        if self.open_faults or flags & PLATFORM_FLAGS:  # the common case, a good reading, skips this
            self._update_faults(point, flags, changes)
        return flags, changes, retro

    def _update_faults(self, point: Point, flags: int, changes: list[FaultChange]) -> None:
        self._toggle(
            FaultKind.NEGATIVE_CONCENTRATION, bool(flags & NEGATIVE), point, changes, "negative concentration"
        )
        self._toggle(FaultKind.OUT_OF_RANGE, bool(flags & OUT_OF_RANGE), point, changes, self._range_text())
        if FaultKind.FLAT_LINE not in self.open_faults and flags & FLAT_LINE:
            text = f"the same value {point.value:g} {self.rules.flat_line_count} times in a row"
            self.open_faults.add(FaultKind.FLAT_LINE)
            changes.append(
                FaultChange(FaultKind.FLAT_LINE, True, False, point.ts, text, tuple(self.flat_run))
            )
        elif FaultKind.FLAT_LINE in self.open_faults and not flags & FLAT_LINE and not flags & DEVICE_FLAGS:
            self.open_faults.discard(FaultKind.FLAT_LINE)
            changes.append(FaultChange(FaultKind.FLAT_LINE, False, True, point.ts, "value changed"))

    def silent(self, now_ms: int, registered_ms: int | None = None) -> FaultChange | None:
        """A missing-data fault if nothing has come for too long (checked by a periodic sweep).

        A series that never reported is measured from its registration: the same grace of
        `missing_after_intervals` intervals, then it is as silent as one that stopped.
        """
        if FaultKind.MISSING_DATA in self.open_faults:
            return None
        since = self.last_ts if self.last_ts is not None else registered_ms
        if since is None or now_ms - since <= self._missing_ms():
            return None
        self.open_faults.add(FaultKind.MISSING_DATA)
        intervals = (now_ms - since) // self.interval_ms
        text = (
            f"no reading for {intervals} intervals"
            if self.last_ts is not None
            else f"no reading since registration ({intervals} intervals ago)"
        )
        return FaultChange(FaultKind.MISSING_DATA, True, False, now_ms, text)

    def _missing_ms(self) -> int:
        return self.rules.missing_after_intervals * self.interval_ms

    def _check_gap(self, point: Point, changes: list[FaultChange]) -> None:
        previous, self.last_ts = self.last_ts, point.ts
        if FaultKind.MISSING_DATA in self.open_faults:
            self.open_faults.discard(FaultKind.MISSING_DATA)
            changes.append(FaultChange(FaultKind.MISSING_DATA, False, True, point.ts, "readings resumed"))
        elif previous is not None and point.ts - previous > self._missing_ms():
            intervals = (point.ts - previous) // self.interval_ms
            text = f"no reading for {intervals} intervals before this one"
            changes.append(FaultChange(FaultKind.MISSING_DATA, True, True, point.ts, text, (point,)))

    def _flat_line(self, point: Point) -> tuple[bool, tuple[Point, ...]]:
        needed = self.rules.flat_line_count
        floor = self.kind.detection_limit
        if floor is not None and point.value <= floor:
            # "Not detected" is reported as one constant: a run of it is no fault, and it ends a run.
            self.flat_value, self.flat_length, self.flat_run = None, 0, []
            return False, ()
        if self.flat_value is not None and point.value == self.flat_value:
            self.flat_length += 1
            if len(self.flat_run) < needed:
                self.flat_run.append(point)
        else:
            self.flat_value, self.flat_length, self.flat_run = point.value, 1, [point]
        if self.flat_length == needed:
            # The run is now long enough: its earlier readings are flagged too.
            return True, tuple(self.flat_run[:-1])
        return self.flat_length > needed, ()

    def _toggle(
        self, kind: FaultKind, present: bool, point: Point, changes: list[FaultChange], text: str
    ) -> None:
        if present and kind not in self.open_faults:
            self.open_faults.add(kind)
            changes.append(FaultChange(kind, True, False, point.ts, text, (point,)))
        elif not present and kind in self.open_faults:
            self.open_faults.discard(kind)
            changes.append(FaultChange(kind, False, True, point.ts, "values back in range"))

    def _range_text(self) -> str:
        return f"outside the physical range {self.kind.low:g}..{self.kind.high:g} {self.kind.unit}".rstrip()
