"""The rules applied to each batch, on in-memory state per station and parameter.

State is rebuilt from the database the first time a series is seen (service_layer/restore.py) and
dropped when a batch's transaction fails, so memory never runs ahead of what was committed for long.
Readings are judged per series in time order; a reading older than the last one judged (a late
one) is stored and counted in aggregates but does not re-run the rules, since alarms already sent
cannot be unsent: the summary lists it as unassessed. A flat line recognised at its Nth value takes
its earlier readings back from the exceedance rule (they were judged before anyone knew the device
was stuck), withdrawing an exceedance that rested only on them.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterable

from services.monitoring.config import MonitoringConfig
from services.monitoring.domain.electricity import IdleRule, IdleTreatmentDetector
from services.monitoring.domain.exceedance import Change, ExceedanceTracker, Point, Transition
from services.monitoring.domain.limits import Limit
from services.monitoring.domain.parameters import StationType
from services.monitoring.domain.quality import FLAT_LINE, FaultChange, FaultKind, SeriesQuality, range_flags
from services.monitoring.domain.records import ExceedanceRecord, ReadingColumns
from services.monitoring.domain.stations import ElectricityMonitor, Equipment, SourceMonitor, Station
from services.monitoring.service_layer.assessment import Assessor
from services.monitoring.service_layer.catalog import Catalog, SeriesInfo
from services.monitoring.service_layer.locks import StationLocks
from services.monitoring.service_layer.outcome import (
    FLAT_LINE_WITHDRAWN,
    Cleared,
    FaultFound,
    IdleFound,
    Opened,
    Outcome,
    SeriesState,
)


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

    def evaluate(self, columns: ReadingColumns, infos: list[SeriesInfo]) -> Outcome:
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
                outcome.late.append(i)
                continue
            final, changes, retro = quality.observe(Point(ts, value, flags[i]))
            flags[i] = final
            if retro:
                if positions is None:
                    positions = {(s, t): j for j, (s, t) in enumerate(zip(sids, times, strict=True))}
                self._flag_retro(retro, info.series_id, positions, flags, outcome)
            for change in changes:
                outcome.faults.append(FaultFound(info, change, self.new_id()))
                if change.opened and change.kind == FaultKind.FLAT_LINE:
                    self._withdraw(state, change, outcome)
            if final:
                continue
            if info.station.type == StationType.ELECTRICITY:
                power.setdefault(info.station.station_id, []).append(Point(ts, value))
                continue
            if quality.flat_length == 1:
                # This reading may start a flat line: remember the rule's state before it.
                state.tracker.mark(ts)
            self._assess(state, Point(ts, value), outcome)
        for state in self._touched(sids):
            if state.peak_dirty and state.exceedance is not None and state.tracker.peak_value is not None:
                peak = state.tracker.peak_value
                quoted = state.limit.breached(peak) if state.limit else state.exceedance.limit_value
                outcome.peaks.append(
                    (state.exceedance.exceedance_id, peak, state.tracker.peak_multiple, quoted)
                )
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
        value = point.value
        if limit.beyond(value):
            transition = state.tracker.observe(point, True, limit.multiple(value), limit.distance(value))
            if transition is None:
                state.peak_dirty = state.peak_dirty or state.exceedance is not None
                return
        else:
            transition = state.tracker.observe(point, False)
            if transition is None:
                return
        if transition.change == Change.OPENED:
            state.exceedance, state.limit = self._opened_row(info, limit, transition), limit
            outcome.exceedances.append(Opened(info, state.exceedance, limit, transition))
            return
        assert state.exceedance is not None
        peak = transition.peak_value if transition.peak_value is not None else state.exceedance.max_value
        final = dataclasses.replace(
            state.exceedance,
            limit_value=(state.limit or limit).breached(peak),
            # The period ends with the first reading back within the limit.
            cleared_ts=transition.evidence[0].ts,
            max_value=peak,
            max_multiple=transition.peak_multiple,
        )
        outcome.exceedances.append(Cleared(info, final, transition))
        state.exceedance, state.limit, state.peak_dirty = None, None, False

    def _withdraw(self, state: SeriesState, change: FaultChange, outcome: Outcome) -> None:
        """Take a flat line's readings back from the exceedance rule (they raise no pollution alarm).

        An open exceedance that opened within the run rests only on those readings: it is withdrawn,
        or, if it opened in this very batch, never recorded at all. One that opened before the run
        stays open on the readings before it, with its peak taken from those.
        """
        run_start = change.evidence[0].ts
        row = state.exceedance
        rests_on_run = row is not None and row.opened_ts >= run_start
        if not state.tracker.withdraw_since(run_start, still_open=row is not None and not rests_on_run):
            if not rests_on_run:
                return  # none of the run's readings was judged
            state.tracker.reset(is_open=False)
        if row is None:
            return
        if not rests_on_run:
            state.peak_dirty = True  # the recorded peak may have come from the run
            return
        state.exceedance, state.limit, state.peak_dirty = None, None, False
        for j, item in enumerate(outcome.exceedances):
            if isinstance(item, Opened) and item.row.exceedance_id == row.exceedance_id:
                del outcome.exceedances[j]  # opened in this batch: never published, nothing to take back
                return
        evidence = tuple(p._replace(flags=p.flags | FLAT_LINE) for p in change.evidence)
        final = dataclasses.replace(row, cleared_ts=change.ts, cleared_reason=FLAT_LINE_WITHDRAWN)
        outcome.exceedances.append(Cleared(state.info, final, Transition(Change.CLEARED, evidence)))

    def _opened_row(self, info: SeriesInfo, limit: Limit, transition: Transition) -> ExceedanceRecord:
        details = info.station.details
        source = details if isinstance(details, SourceMonitor) else None
        peak = transition.peak_value if transition.peak_value is not None else transition.evidence[-1].value
        return ExceedanceRecord(
            exceedance_id=self.new_id(),
            series_id=info.series_id,
            station_id=info.station.station_id,
            parameter=info.parameter.code,
            unit=info.parameter.unit,
            # A range (pH 6-9) is quoted by the bound its worst reading breaks.
            limit_value=limit.breached(peak),
            limit_basis=limit.basis,
            target_class=None if limit.target_class is None else int(limit.target_class),
            # The period starts with the first reading of the run that opened it.
            opened_ts=transition.evidence[0].ts,
            cleared_ts=None,
            max_value=peak,
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
