"""The set-based reads that rebuild rule state after a start answer alike on PostgreSQL (one
LATERAL query for every series) and on SQLite (a query per series)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from services.monitoring.adapters import readings as readings_repo
from services.monitoring.adapters.tables import readings
from services.monitoring.migrations import HISTORY
from shared.db import make_engine
from shared.migrations import upgrade

pytestmark = pytest.mark.integration

STORED = {
    1: [(1_000 * i, float(i), 0) for i in range(1, 8)],  # more than asked for: only the newest 3
    2: [(5_000, 2.5, 4), (4_000, 2.0, 0)],  # fewer, stored out of order
}


def _last_readings_of(url: str) -> dict[int, list[tuple[int, float, int]]]:
    engine = make_engine(url)
    try:
        upgrade(engine, HISTORY)
        with engine.begin() as conn:
            conn.execute(
                sa.insert(readings),
                [
                    {"series_id": sid, "ts": ts, "value": value, "flags": flags}
                    for sid, rows in STORED.items()
                    for ts, value, flags in rows
                ],
            )
        with engine.connect() as conn:
            return readings_repo.last_readings_of(conn, series_ids=[1, 2, 3], count=3)
    finally:
        engine.dispose()


def test_newest_readings_of_many_series_in_one_read_on_postgres_and_sqlite(
    pg_url: str, tmp_path: Path
) -> None:
    expected = {
        1: [(5_000, 5.0, 0), (6_000, 6.0, 0), (7_000, 7.0, 0)],
        2: [(4_000, 2.0, 0), (5_000, 2.5, 4)],
    }  # series 3 has none and is absent
    assert _last_readings_of(pg_url) == expected
    assert _last_readings_of(f"sqlite:///{tmp_path / 'm.db'}") == expected
