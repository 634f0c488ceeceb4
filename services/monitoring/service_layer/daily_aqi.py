"""Publishing each air station's daily AQI once its China-time day has closed (DailyAqiComputed).

Run by shared.periodic. For every air station and each of the last `days_back` closed days it
computes the daily AQI from stored readings (history.py, domain/air_periods.py) and compares it
with the published mark (table daily_aqi):
- no mark: the day is published (revision 1) and marked, in one transaction (outbox), so a restart
  neither loses a day (no mark, no event) nor repeats one (the mark commits with the event);
- a mark with another figure (readings that arrived or were flagged after the day closed): the
  corrected figure is published with the same key (station, date) and revision + 1, and consumers
  keep the highest revision. Why republish rather than ignore: the share of good days must follow
  the data the bureau finally holds; why a window: a figure older than `days_back` days stands.
Two replicas racing on one day: the mark's insert (or its update guarded by the old revision)
decides; the loser's transaction rolls back, taking its event with it.
"""

from __future__ import annotations

import logging
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.monitoring.adapters import repository
from services.monitoring.adapters.tables import daily_aqi
from services.monitoring.domain import air_periods, day_close
from services.monitoring.domain import events as ev
from services.monitoring.domain.daily_aqi import DailyFigure, judge
from services.monitoring.domain.parameters import StationType
from services.monitoring.service_layer.history import hourly_means
from services.monitoring.service_layer.queries import DAY_MS
from shared.db import insert_if_absent
from shared.unit_of_work import Deps, transaction

log = logging.getLogger(__name__)


class _Lost(Exception):
    """Another replica published this day meanwhile."""


def _marks(conn: Connection, station_id: str, days: list[date]) -> dict[date, tuple[int, str]]:
    rows = conn.execute(
        sa.select(daily_aqi.c.day, daily_aqi.c.revision, daily_aqi.c.signature).where(
            daily_aqi.c.station_id == station_id, daily_aqi.c.day.in_(days)
        )
    )
    return {r.day: (r.revision, r.signature) for r in rows}


def _mark(conn: Connection, station_id: str, figure: DailyFigure, now: object) -> None:
    values = {
        "revision": figure.revision,
        "valid": figure.valid,
        "aqi": figure.result.aqi if figure.result else None,
        "signature": figure.signature(),
        "published_at": now,
    }
    if figure.revision == 1:
        written = insert_if_absent(
            conn,
            daily_aqi,
            key=("station_id", "day"),
            values={"station_id": station_id, "day": figure.day, **values},
        )
    else:
        written = (
            conn.execute(
                sa.update(daily_aqi)
                .where(
                    daily_aqi.c.station_id == station_id,
                    daily_aqi.c.day == figure.day,
                    daily_aqi.c.revision == figure.revision - 1,
                )
                .values(**values)
            ).rowcount
            == 1
        )
    if not written:
        raise _Lost


def publish_closed_days(deps: Deps, *, days_back: int) -> int:
    """Publish every air station's closed days not yet published or whose figure changed; returns
    how many events went out."""
    now = deps.clock.now()
    with deps.engine.connect() as conn:
        stations = repository.get_all(conn, station_type=StationType.AIR)
    sent = 0
    for stored in stations:
        station = stored.station
        days = day_close.days_to_close(now, days_back=days_back)
        first = day_close.day_start_ms(days[0])
        with deps.engine.connect() as conn:
            marks = _marks(conn, station.station_id, days)
            # The day before the first feeds its O3 8-hour means ending before 07:00 (HJ 663-2013).
            series = hourly_means(conn, stored, first - DAY_MS, day_close.day_start_ms(days[-1]) + DAY_MS)
        measured = [p.code for p in station.parameters]
        for day in days:
            start = day_close.day_start_ms(day)
            if day_close.before_registration(day, station.registered_at) and not any(
                s.has_data(start, 24) for s in series.values()
            ):
                continue
            figure = judge(day, measured, *air_periods.daily(series, start))
            mark = marks.get(day)
            if mark is not None and mark[1] == figure.signature():
                continue
            revision = 1 if mark is None else mark[0] + 1
            figure = DailyFigure(figure.day, figure.result, figure.reason, revision)
            try:
                with transaction(deps) as tx:
                    _mark(tx.conn, station.station_id, figure, tx.now)
                    tx.publish(station.station_id, ev.DailyAqiComputed(station, figure))
                sent += 1
            except _Lost:
                log.info("daily AQI of %s on %s published by another replica", station.station_id, day)
    return sent
