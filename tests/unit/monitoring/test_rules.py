"""Hysteresis, the data-quality rules and the electricity rule, on the domain objects alone."""

from __future__ import annotations

from services.monitoring.domain.electricity import IdleRule, IdleTreatmentDetector
from services.monitoring.domain.exceedance import Change, ExceedanceTracker, Hysteresis, Point
from services.monitoring.domain.parameters import StationType, kind_of
from services.monitoring.domain.quality import (
    FLAT_LINE,
    NEGATIVE,
    OUT_OF_RANGE,
    FaultKind,
    QualityRules,
    SeriesQuality,
)

MIN = 60_000


def _feed(tracker: ExceedanceTracker, pattern: str) -> list[Change | None]:
    """'x' a reading beyond the limit, '.' one within."""
    result = []
    for i, ch in enumerate(pattern):
        t = tracker.observe(Point(i, 2.0 if ch == "x" else 0.5), ch == "x", 1.0 if ch == "x" else 0.0)
        result.append(None if t is None else t.change)
    return result


def test_opens_after_n_consecutive_and_clears_after_m_without_flapping() -> None:
    tracker = ExceedanceTracker(Hysteresis(open_after=3, clear_after=2))
    changes = _feed(tracker, "xx.xx.x.")  # never three in a row: never opens
    assert changes == [None] * 8 and not tracker.is_open
    changes = _feed(tracker, "xxx")
    assert changes == [None, None, Change.OPENED] and tracker.is_open
    changes = _feed(tracker, ".x.x.x")  # single readings back within do not clear it
    assert changes == [None] * 6 and tracker.is_open
    changes = _feed(tracker, "..")
    assert changes == [None, Change.CLEARED] and not tracker.is_open


def test_transition_carries_its_evidence_and_peak() -> None:
    tracker = ExceedanceTracker(Hysteresis(open_after=2, clear_after=1))
    tracker.observe(Point(1, 1.2), True, 0.2)
    opened = tracker.observe(Point(2, 1.8), True, 0.8)
    assert opened is not None and opened.change == Change.OPENED
    assert (
        [p.ts for p in opened.evidence] == [1, 2] and opened.peak_value == 1.8 and opened.peak_multiple == 0.8
    )
    tracker.observe(Point(3, 2.5), True, 1.5)
    cleared = tracker.observe(Point(4, 0.4), False)
    assert cleared is not None and cleared.peak_value == 2.5 and [p.ts for p in cleared.evidence] == [4]


def _quality(flat: int = 4, missing: int = 3) -> SeriesQuality:
    kind = kind_of(StationType.WATER_SECTION, "NH3N")
    assert kind is not None
    return SeriesQuality(QualityRules(flat_line_count=flat, missing_after_intervals=missing), kind, 60 * MIN)


def test_negative_concentration_and_out_of_range_flag_once_per_fault() -> None:
    q = _quality()
    flags, changes, _ = q.observe(Point(1 * 60 * MIN, -0.2))
    assert flags & NEGATIVE and [c.kind for c in changes] == [FaultKind.NEGATIVE_CONCENTRATION]
    flags, changes, _ = q.observe(Point(2 * 60 * MIN, -0.1))
    assert flags & NEGATIVE and changes == []  # still the same fault: no second event
    flags, changes, _ = q.observe(Point(3 * 60 * MIN, 150.0))  # NH3N above 100 mg/L is not physical
    assert flags & OUT_OF_RANGE and not flags & NEGATIVE
    assert [(c.kind, c.opened) for c in changes] == [
        (FaultKind.NEGATIVE_CONCENTRATION, False),
        (FaultKind.OUT_OF_RANGE, True),
    ]
    flags, changes, _ = q.observe(Point(4 * 60 * MIN, 0.3))
    assert flags == 0 and [(c.kind, c.closed) for c in changes] == [(FaultKind.OUT_OF_RANGE, True)]


def test_flat_line_flags_the_whole_run_and_ends_when_the_value_moves() -> None:
    q = _quality(flat=4)
    results = [q.observe(Point(i * 60 * MIN, 0.42)) for i in range(6)]
    assert [r[0] & FLAT_LINE for r in results] == [0, 0, 0, FLAT_LINE, FLAT_LINE, FLAT_LINE]
    assert [p.ts for p in results[3][2]] == [0, 60 * MIN, 120 * MIN]  # earlier readings flagged late
    assert [c.kind for c in results[3][1]] == [FaultKind.FLAT_LINE]
    flags, changes, _ = q.observe(Point(6 * 60 * MIN, 0.43))
    assert flags == 0 and [(c.kind, c.closed) for c in changes] == [(FaultKind.FLAT_LINE, True)]


def test_device_flagged_readings_do_not_count_towards_a_flat_line() -> None:
    q = _quality(flat=3)
    for i in range(5):
        flags, _, _ = q.observe(Point(i * 60 * MIN, 0.42, 1))  # maintenance
        assert not flags & FLAT_LINE


def test_missing_data_found_on_arrival_and_by_the_sweep() -> None:
    q = _quality(missing=3)
    q.observe(Point(0, 0.4))
    _, changes, _ = q.observe(Point(3 * 60 * MIN, 0.41))  # exactly 3 intervals: not missing
    assert changes == []
    _, changes, _ = q.observe(Point(7 * 60 * MIN, 0.42))  # 4 intervals
    assert [(c.kind, c.opened, c.closed) for c in changes] == [(FaultKind.MISSING_DATA, True, True)]
    assert q.silent(10 * 60 * MIN) is None
    silent = q.silent(10 * 60 * MIN + 1)
    assert silent is not None and silent.kind == FaultKind.MISSING_DATA
    assert q.silent(20 * 60 * MIN) is None  # already open: no second fault
    _, changes, _ = q.observe(Point(21 * 60 * MIN, 0.5))
    assert [(c.kind, c.closed) for c in changes] == [(FaultKind.MISSING_DATA, True)]


def _detector(minutes: int = 30) -> IdleTreatmentDetector:
    return IdleTreatmentDetector(IdleRule(50.0, 10.0, minutes * MIN, 30 * MIN))


def test_line_producing_with_facility_idle_for_t_minutes_alarms_once() -> None:
    d = _detector(30)
    line = [Point(i * 15 * MIN, 120.0) for i in range(6)]
    facility = [Point(i * 15 * MIN, 2.0) for i in range(6)]
    alarms = d.add(line[:2], facility[:2])  # 15 min so far
    assert alarms == []
    alarms = d.add(line[2:], facility[2:])
    assert len(alarms) == 1
    alarm = alarms[0]
    assert alarm.started_at == 0 and alarm.detected_at == 30 * MIN
    assert [p.value for p in alarm.production] == [120.0] * 3 and [p.value for p in alarm.treatment] == [
        2.0
    ] * 3
    assert d.add([Point(6 * 15 * MIN, 120.0)], [Point(6 * 15 * MIN, 2.0)]) == []  # same period: no repeat


def test_no_alarm_when_the_facility_runs_or_the_line_idles_or_the_period_breaks() -> None:
    running = _detector()
    assert (
        running.add(
            [Point(i * 15 * MIN, 120.0) for i in range(6)], [Point(i * 15 * MIN, 40.0) for i in range(6)]
        )
        == []
    )
    idle_line = _detector()
    assert (
        idle_line.add(
            [Point(i * 15 * MIN, 20.0) for i in range(6)], [Point(i * 15 * MIN, 2.0) for i in range(6)]
        )
        == []
    )
    broken = _detector()
    facility = [Point(i * 15 * MIN, 40.0 if i == 2 else 2.0) for i in range(5)]
    assert broken.add([Point(i * 15 * MIN, 120.0) for i in range(5)], facility) == []


def test_curves_arriving_separately_are_judged_only_once_both_are_known() -> None:
    d = _detector(30)
    assert d.add([Point(i * 15 * MIN, 120.0) for i in range(4)], []) == []
    alarms = d.add([], [Point(i * 15 * MIN, 2.0) for i in range(4)])
    assert [a.started_at for a in alarms] == [0]
