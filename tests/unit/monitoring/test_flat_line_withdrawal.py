"""A stuck sensor raises no pollution alarm: a flat line takes its readings back from the exceedance rule.

Through ingestion (the Ingestor on SQLite) with the default rules: open after 3, flat line at 8.
"""

from __future__ import annotations

from pathlib import Path

from services.monitoring.config import MonitoringConfig
from services.monitoring.domain.exceedance import Change, ExceedanceTracker, Hysteresis, Point
from services.monitoring.domain.quality import FLAT_LINE, FaultKind, QualityRules
from services.monitoring.service_layer.outcome import FLAT_LINE_WITHDRAWN
from tests.unit.monitoring.support import HOUR, START_MS, Harness, water_station

FOUR_H = 4 * HOUR
DEFAULTS = MonitoringConfig(hysteresis=Hysteresis(3, 3), quality=QualityRules(flat_line_count=8))


def _harness(tmp_path: Path) -> Harness:
    h = Harness(tmp_path, DEFAULTS)
    h.register(water_station(codes=("NH3N", "HG")))
    return h


def _readings(values: list[float], code: str = "NH3N", first: int = 0) -> list[tuple[str, str, int, float]]:
    return [("WS-1", code, START_MS + (first + i) * FOUR_H, v) for i, v in enumerate(values)]


def _open_exceedances(h: Harness) -> object:
    return h.scalar("SELECT count(*) FROM exceedances WHERE cleared_ts IS NULL")


def test_ten_identical_readings_in_one_batch_give_a_device_fault_and_no_exceedance(tmp_path: Path) -> None:
    h = _harness(tmp_path)
    result = h.ingest(_readings([1.8] * 10))  # 1.8 mg/L is class V, beyond the class III target
    assert [a.kind for a in result.alarms] == [2]  # ALARM_KIND_DEVICE_FAULT only
    assert [t for t, _ in h.events()] == ["StationRegistered", "DeviceFault"]
    assert h.events("DeviceFault")[0][1].fault.kind == FaultKind.FLAT_LINE
    assert h.scalar("SELECT count(*) FROM exceedances") == 0
    assert h.scalar("SELECT count(*) FROM readings WHERE flags & 256 = 0") == 0  # every one flagged


def test_readings_one_per_batch_withdraw_the_exceedance_they_opened(tmp_path: Path) -> None:
    h = _harness(tmp_path)
    for i in range(10):
        h.ingest(_readings([1.8], first=i))
    assert [t for t, _ in h.events()][1:] == ["ExceedanceDetected", "ExceedanceCleared", "DeviceFault"]
    (_, cleared), (_, detected) = h.events("ExceedanceCleared")[0], h.events("ExceedanceDetected")[0]
    assert cleared.reason == FLAT_LINE_WITHDRAWN
    assert cleared.exceedance.cleared_reason == FLAT_LINE_WITHDRAWN and not cleared.exceedance.open
    assert cleared.exceedance.exceedance_id == detected.exceedance.exceedance_id
    assert [p.flags for p in cleared.evidence] == [FLAT_LINE] * 8  # the run it rested on, flagged
    assert _open_exceedances(h) == 0
    assert h.scalar("SELECT cleared_reason FROM exceedances") == FLAT_LINE_WITHDRAWN
    # The device moves again: real readings beyond the limit open a new exceedance as usual.
    h.ingest(_readings([1.7, 1.75, 1.9], first=10))
    assert _open_exceedances(h) == 1 and len(h.events("ExceedanceDetected")) == 2


def test_an_exceedance_opened_before_the_run_stays_open_with_the_peak_of_real_readings(
    tmp_path: Path,
) -> None:
    h = _harness(tmp_path)
    h.ingest(_readings([0.5, 1.6, 1.7]))  # two real readings beyond the limit
    for i in range(8):  # then stuck at 1.8: opens with the first 1.8, flat line at the eighth
        h.ingest(_readings([1.8], first=3 + i))
    assert h.events("ExceedanceCleared") == [] and _open_exceedances(h) == 1
    assert h.scalar("SELECT max_value FROM exceedances") == 1.7  # 1.8 came from the stuck device


def test_withdrawal_survives_a_restart_in_the_middle_of_the_run(tmp_path: Path) -> None:
    h = _harness(tmp_path)
    h.ingest(_readings([0.4]))
    h.ingest(_readings([1.8] * 5, first=1))  # opens at the third 1.8 and is published
    assert _open_exceedances(h) == 1
    restarted = h.restart()
    restarted.ingest(_readings([1.8] * 3, first=6))
    assert _open_exceedances(h) == 0
    assert h.events("ExceedanceCleared")[0][1].reason == FLAT_LINE_WITHDRAWN


def test_a_stuck_sensor_below_the_limit_still_gets_its_flat_line_fault(tmp_path: Path) -> None:
    h = _harness(tmp_path)
    h.ingest(_readings([0.42] * 9))
    assert [p.fault.kind for _, p in h.events("DeviceFault")] == [FaultKind.FLAT_LINE]
    assert h.scalar("SELECT count(*) FROM exceedances") == 0


def test_runs_at_the_detection_limit_are_not_a_flat_line(tmp_path: Path) -> None:
    h = _harness(tmp_path)
    h.ingest(_readings([0.00004] * 10, code="HG"))  # "not detected" by HJ 694-2014, 0.04 ug/L
    assert h.events("DeviceFault") == []
    h.ingest(_readings([0.00003] * 10, code="HG", first=10))  # below it too
    assert h.events("DeviceFault") == []
    h.ingest(_readings([0.0002] * 10, code="HG", first=20))  # a real concentration stuck
    assert [p.fault.kind for _, p in h.events("DeviceFault")] == [FaultKind.FLAT_LINE]


def _feed(tracker: ExceedanceTracker, values: list[float], first: int = 0) -> list[Change | None]:
    changes = []
    for i, v in enumerate(values):
        if i == 0:
            tracker.mark(first)
        t = tracker.observe(Point(first + i, v), v > 1.0, v - 1.0 if v > 1.0 else 0.0, max(0.0, v - 1.0))
        changes.append(None if t is None else t.change)
    return changes


def test_tracker_withdraw_restores_the_run_and_peak_before_the_mark() -> None:
    tracker = ExceedanceTracker(Hysteresis(open_after=3, clear_after=2))
    _feed(tracker, [1.2, 1.3])  # a run of two towards opening, peak 1.3
    assert _feed(tracker, [1.9, 1.9], first=10) == [Change.OPENED, None]
    assert tracker.withdraw_since(10, still_open=False)
    assert not tracker.is_open and [p.value for p in tracker.run] == [1.2, 1.3]
    assert tracker.peak_value == 1.3
    assert tracker.observe(Point(20, 1.4), True, 0.4, 0.4) is not None  # the third real one opens
    assert not tracker.withdraw_since(20, still_open=True)  # no mark for 20: nothing was withdrawn
