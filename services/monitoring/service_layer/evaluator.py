"""The rules applied to each batch, on in-memory state per station and parameter.

State is rebuilt from the database the first time a series is seen (service_layer/restore.py) and
dropped when a batch's transaction fails, so memory never runs ahead of what was committed for long.
Readings are judged per series in time order; a reading older than the last one judged (a late
one) is stored and counted in aggregates but does not re-run the rules, since alarms already sent
cannot be unsent.
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from services.monitoring.adapters.alarms import ExceedanceRow
from services.monitoring.adapters.readings import Columns
from services.monitoring.config import MonitoringConfig
from services.monitoring.domain.electricity import IdleAlarm, IdleRule, IdleTreatmentDetector
from services.monitoring.domain.exceedance import Change, ExceedanceTracker, Point, Transition
from services.monitoring.domain.limits import Limit
from services.monitoring.domain.parameters import StationType
from services.monitoring.domain.quality import FLAT_LINE, FaultChange, SeriesQuality, range_flags
from services.monitoring.domain.stations import ElectricityMonitor, Equipment, SourceMonitor, Station
from services.monitoring.service_layer.assessment import Assessor
from services.monitoring.service_layer.catalog import Catalog, SeriesInfo


@dataclass
class SeriesState:
    """What the rules remember about one series."""

    info: SeriesInfo
    quality: SeriesQuality
    tracker: ExceedanceTracker
    # The open exceedance, as recorded when it opened.
    exceedance: ExceedanceRow | None = None
    peak_dirty: bool = False


@dataclass(frozen=True)
class Opened:
    """An exceedance opened."""

    info: SeriesInfo
    row: ExceedanceRow
    limit: Limit
    transition: Transition


@dataclass(frozen=True)
class Cleared:
    """An exceedance cleared; the row carries its end and final peak."""

    info: SeriesInfo
    row: ExceedanceRow
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
    peaks: list[tuple[str, float, float]] = field(default_factory=list)
    unassessed: Counter[tuple[str, str, str]] = field(default_factory=Counter)


class StationLocks:
    """One lock per station, taken in id order, so batches of different stations run side by side."""

    def __init__(self) -> None:
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @contextmanager
    def hold(self, station_ids: Iterable[str]) -> Iterator[None]:
        """Hold the locks of these stations for the block."""
        with self._guard:
            locks = [self._locks.setdefault(sid, threading.Lock()) for sid in sorted(set(station_ids))]
        for lock in locks:
            lock.acquire()
        try:
            yield
        finally:
            for lock in reversed(locks):
                lock.release()


def idle_rule(line: Station, facility: Station, config: MonitoringConfig, hold_ms: int) -> IdleRule:
    """The electricity rule's parameters for one line and its facility."""
    assert isinstance(line.details, ElectricityMonitor) and isinstance(facility.details, ElectricityMonitor)
    minutes = line.details.idle_minutes or config.idle_minutes
    return IdleRule(line.details.threshold_kw, facility.details.threshold_kw, minutes * 60_000, hold_ms)


class Evaluator:
    """Holds the state of every series seen and applies the rules to batches."""

    def __init__(
        self,
        config: MonitoringConfig,
        catalog: Catalog,
        assessor: Assessor,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self.config = config
        self.catalog = catalog
        self.assessor = assessor
        self.new_id = new_id
        self.states: dict[int, SeriesState] = {}
        self.detectors: dict[str, IdleTreatmentDetector] = {}
        self.locks = StationLocks()

    def new_state(self, info: SeriesInfo) -> SeriesState:
        """Empty state for a series never seen."""
        return SeriesState(
            info=info,
            quality=SeriesQuality(self.config.quality, info.kind, info.interval_ms),
            tracker=ExceedanceTracker(self.config.hysteresis),
        )

    def forget(self, series_ids: Iterable[int], line_ids: Iterable[str]) -> None:
        """Drop state that may be ahead of the database (after a failed transaction)."""
        for sid in series_ids:
            self.states.pop(sid, None)
        for line in line_ids:
            self.detectors.pop(line, None)

    def evaluate(self, columns: Columns, infos: list[SeriesInfo]) -> Outcome:
        """Apply the rules to a batch (states must be loaded); sets the final flags in `columns`."""
        outcome = Outcome()
        positions: dict[tuple[int, int], int] | None = None
        power: dict[str, list[Point]] = {}
        sids, times, values, flags = columns.series_ids, columns.ts, columns.values, columns.flags
        # Per series in time order; sorting tuples stays in C.
        for _, _, i in sorted(zip(sids, times, range(len(times)), strict=False)):
            info = infos[i]
            state = self.states[sids[i]]
            quality = state.quality
            ts, value = times[i], values[i]
            if quality.last_ts is not None and ts <= quality.last_ts:
                flags[i] |= range_flags(value, info.kind)
                continue
            final, changes, retro = quality.observe(Point(ts, value, flags[i]))
            flags[i] = final
            if retro:
                if positions is None:
                    positions = {(s, t): j for j, (s, t) in enumerate(zip(sids, times, strict=True))}
                self._flag_retro(retro, info.series_id, positions, flags, outcome)
            for change in changes:
                outcome.faults.append(FaultFound(info, change, self.new_id()))
            if final:
                continue
            if info.station.type == StationType.ELECTRICITY:
                power.setdefault(info.station.station_id, []).append(Point(ts, value))
                continue
            self._assess(state, Point(ts, value), outcome)
        for state in self._touched(sids):
            if state.peak_dirty and state.exceedance is not None and state.tracker.peak_value is not None:
                eid = state.exceedance.exceedance_id
                outcome.peaks.append((eid, state.tracker.peak_value, state.tracker.peak_multiple))
            state.peak_dirty = False
        if power:
            self._electricity(power, outcome)
        return outcome

    def _touched(self, sids: list[int]) -> list[SeriesState]:
        return [self.states[s] for s in set(sids)]

    @staticmethod
    def _flag_retro(
        retro: tuple[Point, ...],
        sid: int,
        positions: dict[tuple[int, int], int],
        flags: list[int],
        outcome: Outcome,
    ) -> None:
        for p in retro:
            j = positions.get((sid, p.ts))
            if j is not None:
                flags[j] |= FLAT_LINE  # still in this batch: stored with the flag
            else:
                outcome.retro_flags.append((sid, p.ts, FLAT_LINE))

    def _assess(self, state: SeriesState, point: Point, outcome: Outcome) -> None:
        info = state.info
        limit, reason = self.assessor.limit(info, point.ts)
        if limit is None:
            if reason:
                outcome.unassessed[(info.station.station_id, info.parameter.code, reason)] += 1
            return
        beyond = limit.beyond(point.value)
        transition = state.tracker.observe(point, beyond, limit.multiple(point.value) if beyond else 0.0)
        if transition is None:
            state.peak_dirty = state.peak_dirty or (beyond and state.exceedance is not None)
            return
        if transition.change == Change.OPENED:
            state.exceedance = self._opened_row(info, limit, transition)
            outcome.exceedances.append(Opened(info, state.exceedance, limit, transition))
            return
        assert state.exceedance is not None
        final = dataclasses.replace(
            state.exceedance,
            # The period ends with the first reading back within the limit.
            cleared_ts=transition.evidence[0].ts,
            max_value=transition.peak_value
            if transition.peak_value is not None
            else state.exceedance.max_value,
            max_multiple=transition.peak_multiple,
        )
        outcome.exceedances.append(Cleared(info, final, transition))
        state.exceedance, state.peak_dirty = None, False

    def _opened_row(self, info: SeriesInfo, limit: Limit, transition: Transition) -> ExceedanceRow:
        details = info.station.details
        source = details if isinstance(details, SourceMonitor) else None
        return ExceedanceRow(
            exceedance_id=self.new_id(),
            series_id=info.series_id,
            station_id=info.station.station_id,
            parameter=info.parameter.code,
            unit=info.parameter.unit,
            limit_value=limit.value,
            limit_basis=limit.basis,
            target_class=None if limit.target_class is None else int(limit.target_class),
            # The period starts with the first reading of the run that opened it.
            opened_ts=transition.evidence[0].ts,
            cleared_ts=None,
            max_value=transition.peak_value
            if transition.peak_value is not None
            else transition.evidence[-1].value,
            max_multiple=transition.peak_multiple,
            uscc=source.uscc if source else "",
            outlet_id=source.outlet_id if source else "",
        )

    def lines_touched(self, station_ids: Iterable[str]) -> set[str]:
        """Production lines whose rule a batch of these stations may move."""
        lines: set[str] = set()
        for sid in station_ids:
            station = self.catalog.station(sid)
            if station is None or not isinstance(station.details, ElectricityMonitor):
                continue
            if station.details.equipment == Equipment.PRODUCTION_LINE:
                lines.add(sid)
            else:
                lines.update(self.catalog.lines_of(sid))
        return lines

    def _electricity(self, power: dict[str, list[Point]], outcome: Outcome) -> None:
        for line_id in sorted(self.lines_touched(power)):
            detector = self.detectors.get(line_id)
            line = self.catalog.station(line_id)
            if detector is None or line is None:
                continue
            assert isinstance(line.details, ElectricityMonitor)
            facility = self.catalog.station(line.details.linked_station_id)
            if facility is None:
                continue
            for alarm in detector.add(power.get(line_id, []), power.get(facility.station_id, [])):
                outcome.idle.append(IdleFound(line, facility, detector.rule, alarm, self.new_id()))
