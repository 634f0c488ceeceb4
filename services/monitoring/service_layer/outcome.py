"""What the rules found in one batch, as plain records that recording.py turns into rows and events."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from services.monitoring.domain.electricity import IdleAlarm, IdleRule
from services.monitoring.domain.exceedance import ExceedanceTracker, Transition
from services.monitoring.domain.limits import Limit
from services.monitoring.domain.quality import FaultChange, SeriesQuality
from services.monitoring.domain.records import ExceedanceRecord
from services.monitoring.domain.stations import Station
from services.monitoring.service_layer.catalog import SeriesInfo

# Why an exceedance closed without readings back within its limit (Exceedance.cleared_reason).
FLAT_LINE_WITHDRAWN = "device fault: flat line"
# Unassessed reason of a reading older than the newest one its series has had judged.
LATE = "late: older than the newest reading judged; stored, not assessed"


@dataclass
class SeriesState:
    """What the rules remember about one series."""

    info: SeriesInfo
    quality: SeriesQuality
    tracker: ExceedanceTracker
    # The open exceedance, as recorded when it opened, and the limit it broke.
    exceedance: ExceedanceRecord | None = None
    limit: Limit | None = None
    peak_dirty: bool = False


@dataclass(frozen=True)
class Opened:
    """An exceedance opened."""

    info: SeriesInfo
    row: ExceedanceRecord
    limit: Limit
    transition: Transition


@dataclass(frozen=True)
class Cleared:
    """An exceedance cleared; the row carries its end, final peak and, if withdrawn, the reason."""

    info: SeriesInfo
    row: ExceedanceRecord
    transition: Transition


@dataclass(frozen=True)
class FaultFound:
    """A fault opened or closed on a series."""

    info: SeriesInfo
    change: FaultChange
    fault_id: str


@dataclass(frozen=True)
class IdleFound:
    """The electricity rule fired for a production line."""

    line: Station
    facility: Station
    rule: IdleRule
    alarm: IdleAlarm
    alarm_id: str


@dataclass
class Outcome:
    """Everything one batch changed beyond the readings themselves."""

    retro_flags: list[tuple[int, int, int]] = field(default_factory=list)
    # Exceedance transitions in the order they happened (one series may open and clear in a batch).
    exceedances: list[Opened | Cleared] = field(default_factory=list)
    faults: list[FaultFound] = field(default_factory=list)
    idle: list[IdleFound] = field(default_factory=list)
    # (exceedance id, peak value, peak multiple, limit quoted for that peak) of open exceedances.
    peaks: list[tuple[str, float, float, float]] = field(default_factory=list)
    unassessed: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    # Positions in the batch of readings older than their series' newest judged one: late, unless
    # already stored (a resent duplicate); ingestion tells the two apart.
    late: list[int] = field(default_factory=list)
