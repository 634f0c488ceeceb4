"""Background work of the monitoring process: the missing-data sweep (run by shared.periodic)."""

from __future__ import annotations

import logging
from datetime import UTC

from services.monitoring.adapters import readings as readings_repo
from services.monitoring.service_layer import recording, restore
from services.monitoring.service_layer.catalog import SeriesInfo
from services.monitoring.service_layer.evaluator import Evaluator
from services.monitoring.service_layer.outcome import FaultFound, Outcome
from shared.unit_of_work import Deps, transaction

log = logging.getLogger(__name__)


def sweep_missing(deps: Deps, evaluator: Evaluator) -> int:
    """Open a missing-data fault on every series silent for too long; returns how many opened."""
    now_ms = int(deps.clock.now().timestamp() * 1000)
    limit_intervals = evaluator.config.quality.missing_after_intervals
    infos = evaluator.catalog.all_series()
    with deps.engine.connect() as conn:
        latest = readings_repo.latest_of(conn, series_ids=[i.series_id for i in infos])
    silent = [i for i in infos if now_ms - _last_heard(i, latest) > limit_intervals * i.interval_ms]
    opened = 0
    for info in silent:
        with evaluator.locks.hold([info.station.station_id]):
            try:
                with transaction(deps) as tx:
                    restore.ensure_series(evaluator, tx.conn, {info.series_id})
                    change = evaluator.states[info.series_id].quality.silent(now_ms, _registered_ms(info))
                    if change is None:
                        continue  # already open, or a reading came meanwhile
                    outcome = Outcome(faults=[FaultFound(info, change, evaluator.new_id())])
                    recording.record(tx, outcome)
                opened += tx.published
            except Exception:
                evaluator.forget([info.series_id], [])
                raise
    return opened


def _registered_ms(info: SeriesInfo) -> int | None:
    registered = info.station.registered_at
    if registered is None:
        return None
    if registered.tzinfo is None:  # SQLite hands back naive datetimes; they were written in UTC
        registered = registered.replace(tzinfo=UTC)
    return int(registered.timestamp() * 1000)


def _last_heard(info: SeriesInfo, latest: dict[int, tuple[int, float, int]]) -> int:
    """The newest reading's time, or the registration's for a series that never reported (its grace
    period runs from then); a station of unknown registration time counts as just heard from."""
    if info.series_id in latest:
        return latest[info.series_id][0]
    registered = _registered_ms(info)
    return registered if registered is not None else 2**62
