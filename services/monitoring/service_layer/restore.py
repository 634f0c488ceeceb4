"""Rebuilding a series' rule state (and a production line's electricity rule) from the database.

Called the first time a series is seen after start-up or after a failed batch: the newest readings
are replayed through the rules with their outputs discarded, then the open exceedance and faults
recorded in the database are taken as the truth.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from services.monitoring.adapters import alarms as alarms_repo
from services.monitoring.adapters import readings as readings_repo
from services.monitoring.domain.electricity import IdleTreatmentDetector
from services.monitoring.domain.exceedance import Point
from services.monitoring.domain.quality import DEVICE_FLAGS, FaultKind
from services.monitoring.domain.records import ExceedanceRecord
from services.monitoring.domain.stations import ElectricityMonitor
from services.monitoring.service_layer.evaluator import Evaluator, idle_rule
from services.monitoring.service_layer.outcome import IdleFound, SeriesState

# Look back at most this far for the start of an idle period already alarmed.
_IDLE_LOOKBACK_MS = 2 * 86_400_000


def series_state(
    evaluator: Evaluator,
    series_id: int,
    recent: list[tuple[int, float, int]],
    open_fault_kinds: set[int],
    open_row: ExceedanceRecord | None,
) -> SeriesState:
    """The state of one series as its newest stored readings (oldest first) and its open records
    leave it."""
    info = evaluator.catalog.by_id(series_id)
    assert info is not None, f"series {series_id} is not in the catalogue"
    state = evaluator.new_state(info)
    for ts, value, flags in recent:
        state.quality.observe(Point(ts, value, flags & DEVICE_FLAGS))
        if flags == 0:
            limit, _ = evaluator.assessor.limit(info, ts)
            if limit is not None:
                if state.quality.flat_length == 1:
                    state.tracker.mark(ts)  # as the evaluator does: a flat line may yet withdraw it
                beyond = limit.beyond(value)
                state.tracker.observe(
                    Point(ts, value),
                    beyond,
                    limit.multiple(value) if beyond else 0.0,
                    limit.distance(value),
                )
    state.quality.open_faults = {FaultKind(k) for k in open_fault_kinds}
    if state.tracker.is_open != (open_row is not None):
        state.tracker.reset(is_open=open_row is not None)
    if open_row is not None:
        limit, _ = evaluator.assessor.limit(info, open_row.opened_ts)
        state.exceedance, state.limit = open_row, limit
        state.tracker.peak_value, state.tracker.peak_multiple = open_row.max_value, open_row.max_multiple
        if limit is not None:
            state.tracker.peak_distance = limit.distance(open_row.max_value)
    return state


def ensure_series(evaluator: Evaluator, conn: Connection, series_ids: set[int]) -> None:
    """Load the state of the series not in memory yet (three queries for all of them, not per series:
    after a start every series of the first batches is new)."""
    missing = sorted(sid for sid in series_ids if sid not in evaluator.states)
    if not missing:
        return
    config = evaluator.config
    depth = (
        max(config.hysteresis.open_after, config.hysteresis.clear_after, config.quality.flat_line_count) + 1
    )
    recent = readings_repo.last_readings_of(conn, series_ids=missing, count=depth)
    faults = alarms_repo.open_fault_kinds_of(conn, series_ids=missing)
    open_rows = alarms_repo.get_open_exceedances_of(conn, series_ids=missing)
    for sid in missing:
        evaluator.states[sid] = series_state(
            evaluator, sid, recent.get(sid, []), faults.get(sid, set()), open_rows.get(sid)
        )


def ensure_detectors(evaluator: Evaluator, conn: Connection, line_ids: set[str]) -> list[IdleFound]:
    """Load the electricity rule of these production lines; returns alarms the replay found unraised."""
    pending: list[IdleFound] = []
    for line_id in line_ids:
        if line_id in evaluator.detectors:
            continue
        line = evaluator.catalog.station(line_id)
        if line is None or not isinstance(line.details, ElectricityMonitor):
            continue
        facility = evaluator.catalog.station(line.details.linked_station_id)
        line_series = evaluator.catalog.series(line_id, "POWER")
        facility_series = evaluator.catalog.series(line.details.linked_station_id, "POWER")
        if facility is None or line_series is None or facility_series is None:
            continue
        # One reading stands for its curve for two intervals: one missed reading does not break a period.
        hold_ms = 2 * max(line_series.interval_ms, facility_series.interval_ms)
        rule = idle_rule(line, facility, evaluator.config, hold_ms)
        detector = IdleTreatmentDetector(rule)
        evaluator.detectors[line_id] = detector
        lasts = [
            readings_repo.last_readings(conn, series_id=s.series_id, count=1)
            for s in (line_series, facility_series)
        ]
        if not lasts[0] or not lasts[1]:
            continue
        end = min(lasts[0][0][0], lasts[1][0][0])
        start = end - rule.duration_ms - 2 * hold_ms
        alarmed_start = alarms_repo.latest_idle_alarm_start(conn, production=line_id)
        if alarmed_start is not None and alarmed_start >= end - _IDLE_LOOKBACK_MS:
            # Replay from the recorded period's start, so that it is recognised and not raised twice.
            start = min(start, alarmed_start - hold_ms)
        curves = [
            [
                Point(t, v)
                for t, v, f in readings_repo.between(conn, series_id=s.series_id, start=start, end=end + 1)
                if f == 0
            ]
            for s in (line_series, facility_series)
        ]
        for alarm in detector.add(curves[0], curves[1]):
            if not alarms_repo.idle_alarm_exists(conn, production=line_id, started_ts=alarm.started_at):
                pending.append(IdleFound(line, facility, rule, alarm, evaluator.new_id()))
    return pending
