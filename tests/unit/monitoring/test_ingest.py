"""The ingestion path on SQLite: per-reading rejection, idempotence, order, alarms and their events."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from services.monitoring.domain.quality import NEGATIVE, OUT_OF_RANGE
from services.monitoring.service_layer.background import sweep_missing
from services.monitoring.service_layer.outcome import LATE
from tests.unit.monitoring.support import HOUR, START_MS, Harness, water_station

FOUR_H = 4 * HOUR


def _nh3n(values: list[float], start: int = START_MS) -> list[tuple[str, str, int, float]]:
    return [("WS-1", "NH3N", start + i * FOUR_H, v) for i, v in enumerate(values)]


def test_bad_readings_are_rejected_one_by_one_and_the_rest_stored(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.register(water_station())
    future = int(h.clock.now().timestamp() * 1000) + 3600_000
    result = h.ingest(
        [
            ("WS-1", "NH3N", START_MS, 0.4),
            ("NOPE", "NH3N", START_MS, 0.4),
            ("WS-1", "COD", START_MS, 10),
            ("WS-1", "DO", START_MS, float("inf")),
            ("WS-1", "DO", future, 6.0),
            ("WS-1", "DO", START_MS, 6.0, 256),
            ("WS-1", "DO", START_MS, 6.5),
        ]
    )
    assert [(r.index, r.field) for r in result.rejections] == [
        (1, "station_id"),
        (2, "parameter"),
        (3, "value"),
        (4, "time"),
        (5, "flags"),
    ]
    assert "unknown station 'NOPE'" in result.rejections[0].reason
    assert result.accepted == 2 and result.received == 7
    assert h.scalar("SELECT count(*) FROM readings") == 2


def test_duplicates_are_idempotent_and_raise_nothing_twice(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.register(water_station())
    batch = _nh3n([1.6, 1.7, 1.8])
    first = h.ingest(batch)
    assert first.accepted == 3 and first.duplicates == 0 and len(first.alarms) == 1
    again = h.ingest([*batch, batch[0]])
    assert again.accepted == 4 and again.duplicates == 4 and again.alarms == []
    assert h.scalar("SELECT count(*) FROM readings") == 3
    assert len(h.events("ExceedanceDetected")) == 1


def test_out_of_order_readings_are_stored_in_order_and_do_not_move_latest(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.register(water_station())
    h.ingest(list(reversed(_nh3n([0.4, 0.5, 0.6]))))
    h.ingest(_nh3n([0.45], start=START_MS + FOUR_H // 2))  # late: between the first two
    with h.engine.connect() as conn:
        from services.monitoring.adapters import readings

        stored = readings.between(conn, series_id=1, start=0, end=2**62)
    assert [v for _, v, _ in stored] == [0.4, 0.45, 0.5, 0.6]
    assert h.scalar("SELECT value FROM latest_readings WHERE series_id = 1") == 0.6


def test_exceedance_opens_after_n_and_clears_after_m_with_events(tmp_path: Path) -> None:
    h = Harness(tmp_path)  # open after 3, clear after 2
    h.register(water_station())
    h.ingest(_nh3n([1.2, 1.6, 0.8, 0.9, 1.3]))  # never 3 beyond in a row
    assert h.events("ExceedanceDetected") == []
    h.ingest(_nh3n([1.4, 2.2, 0.9, 1.1, 0.7, 0.6], start=START_MS + 5 * FOUR_H))
    detected = h.events("ExceedanceDetected")
    cleared = h.events("ExceedanceCleared")
    assert len(detected) == 1 and len(cleared) == 1
    payload = detected[0][1]
    assert payload.exceedance.limit == 1.0 and payload.exceedance.limit_basis == "GB 3838-2002 class III"
    assert [p.value for p in payload.evidence] == [1.3, 1.4, 2.2]
    assert abs(payload.exceedance.max_multiple - 1.2) < 1e-9
    assert payload.observed_class == 6  # 2.2 mg/L ammonia is worse than class V
    assert [p.value for p in cleared[0][1].evidence] == [0.7, 0.6]
    assert h.scalar("SELECT count(*) FROM exceedances WHERE cleared_ts IS NULL") == 0


def test_flagged_readings_raise_device_faults_not_pollution_alarms(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.register(water_station())
    result = h.ingest(_nh3n([150.0, 151.0, 152.0, 153.0, -1.0]))
    assert result.flagged == 5
    assert h.events("ExceedanceDetected") == []
    faults = [p.fault.kind for _, p in h.events("DeviceFault")]
    assert faults == [3, 4]  # out of range once, then negative once
    flags = h.scalar("SELECT group_concat(flags) FROM readings")
    assert str(OUT_OF_RANGE) in str(flags) and str(NEGATIVE) in str(flags)


def test_state_survives_a_restart(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.register(water_station())
    h.ingest(_nh3n([1.6, 1.7]))
    restarted = h.restart()
    result = restarted.ingest(_nh3n([1.8], start=START_MS + 2 * FOUR_H))
    assert len(result.alarms) == 1 and len(h.events("ExceedanceDetected")) == 1
    again = restarted.restart()
    again.ingest(_nh3n([0.5, 0.4], start=START_MS + 3 * FOUR_H))
    assert len(h.events("ExceedanceCleared")) == 1


def test_missing_data_sweep_opens_one_fault_per_silent_series(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.register(water_station())
    h.ingest(_nh3n([0.4]))
    opened = sweep_missing(h.ctx, h.ctx.evaluator)
    assert opened == 1  # only NH3N has ever reported
    assert sweep_missing(h.ctx, h.ctx.evaluator) == 0
    kinds = [p.fault.kind for _, p in h.events("DeviceFault")]
    assert kinds == [1]


def test_late_readings_are_listed_unassessed_but_resent_duplicates_are_not(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.register(water_station())
    h.ingest(_nh3n([0.5], start=START_MS + 10 * FOUR_H))  # the device's live reading first
    backfill = h.ingest(_nh3n([1.6, 1.7, 1.8, 1.9, 2.0, 2.1]))  # then its buffer, all older
    assert backfill.accepted == 6 and backfill.alarms == []
    assert dict(backfill.unassessed) == {("WS-1", "NH3N", LATE): 6}
    assert h.scalar("SELECT count(*) FROM readings") == 7
    again = h.ingest(_nh3n([1.6, 1.7]))  # the same old readings resent: duplicates, not late
    assert again.duplicates == 2 and dict(again.unassessed) == {}
    mixed = h.ingest([*_nh3n([1.6]), *_nh3n([0.7], start=START_MS + FOUR_H // 2)])
    assert mixed.duplicates == 1 and dict(mixed.unassessed) == {("WS-1", "NH3N", LATE): 1}


def test_missing_data_sweep_flags_series_that_never_reported_after_the_grace(tmp_path: Path) -> None:
    h = Harness(tmp_path)  # missing after 3 intervals of 4 h: a 12 h grace from registration
    h.register(water_station())
    h.clock.advance(timedelta(hours=2))
    h.ingest(_nh3n([0.4], start=int(h.clock.now().timestamp() * 1000)))
    h.clock.advance(timedelta(hours=10))  # 12 h since registration: still within the grace
    assert sweep_missing(h.ctx, h.ctx.evaluator) == 0
    h.clock.advance(timedelta(minutes=1))
    assert sweep_missing(h.ctx, h.ctx.evaluator) == 3  # DO, TP, PH never came
    details = sorted(p.fault.detail for _, p in h.events("DeviceFault"))
    assert details == ["no reading since registration (3 intervals ago)"] * 3
    h.clock.advance(timedelta(hours=2))  # NH3N's one reading is now more than 12 h old as well
    assert sweep_missing(h.ctx, h.ctx.evaluator) == 1
    assert sweep_missing(h.ctx, h.ctx.evaluator) == 0
