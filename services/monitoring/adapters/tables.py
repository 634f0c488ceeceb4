"""Monitoring's tables (SQLAlchemy Core); their migrations are the revisions in ../migrations/.

Times of readings, exceedances and faults are epoch milliseconds (UTC) in BIGINT columns: the
ingestion path then moves plain integers, and hourly or daily buckets are integer division.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

_id = sa.BigInteger().with_variant(sa.Integer, "sqlite")

stations = sa.Table(
    "stations",
    metadata,
    sa.Column("station_id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("type", sa.SmallInteger, nullable=False, index=True),
    sa.Column("lat", sa.Double, nullable=False),
    sa.Column("lon", sa.Double, nullable=False),
    sa.Column("town", sa.String(100), nullable=False),
    # Type-specific details (section, outlet, equipment) as JSON; they are read whole.
    sa.Column("details", sa.Text, nullable=False),
    sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("registered_by", sa.String(100), nullable=False),
)

# One row per station and parameter; readings refer to it by a small integer key.
series = sa.Table(
    "series",
    metadata,
    sa.Column("series_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("station_id", sa.String(64), sa.ForeignKey("stations.station_id"), nullable=False),
    sa.Column("parameter", sa.String(20), nullable=False),
    sa.Column("unit", sa.String(20), nullable=False),
    sa.Column("interval_seconds", sa.Integer, nullable=False),
    sa.Column("alarm_limit", sa.Double, nullable=True),
    sa.UniqueConstraint("station_id", "parameter", name="uq_series_station_parameter"),
)

# The time series. The primary key makes (station, parameter, time) unique, which is what makes a
# repeated reading a no-op, and keeps each series in time order on disk.
readings = sa.Table(
    "readings",
    metadata,
    sa.Column("series_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("ts", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("value", sa.Double, nullable=False),
    sa.Column("flags", sa.Integer, nullable=False),
)

# The newest reading of each series, updated per batch, so status and coverage never scan readings.
latest = sa.Table(
    "latest_readings",
    metadata,
    sa.Column("series_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("ts", sa.BigInteger, nullable=False),
    sa.Column("value", sa.Double, nullable=False),
    sa.Column("flags", sa.Integer, nullable=False),
)

exceedances = sa.Table(
    "exceedances",
    metadata,
    sa.Column("exceedance_id", sa.String(36), primary_key=True),
    sa.Column("series_id", sa.Integer, nullable=False),
    sa.Column("station_id", sa.String(64), nullable=False, index=True),
    sa.Column("parameter", sa.String(20), nullable=False),
    sa.Column("unit", sa.String(20), nullable=False),
    sa.Column("limit_value", sa.Double, nullable=False),
    sa.Column("limit_basis", sa.String(200), nullable=False),
    sa.Column("target_class", sa.SmallInteger, nullable=True),
    sa.Column("opened_ts", sa.BigInteger, nullable=False),
    sa.Column("cleared_ts", sa.BigInteger, nullable=True),
    sa.Column("max_value", sa.Double, nullable=False),
    sa.Column("max_multiple", sa.Double, nullable=False),
    sa.Column("uscc", sa.String(18), nullable=False, server_default=""),
    sa.Column("outlet_id", sa.String(100), nullable=False, server_default=""),
    # Set when it closed for a reason other than readings back within the limit (migration 101).
    sa.Column("cleared_reason", sa.String(200), nullable=False, server_default=""),
)
# At most one open exceedance per station and parameter, whatever the code does.
sa.Index(
    "uq_exceedance_open",
    exceedances.c.series_id,
    unique=True,
    postgresql_where=exceedances.c.cleared_ts.is_(None),
    sqlite_where=exceedances.c.cleared_ts.is_(None),
)

faults = sa.Table(
    "device_faults",
    metadata,
    sa.Column("fault_id", sa.String(36), primary_key=True),
    sa.Column("series_id", sa.Integer, nullable=False),
    sa.Column("station_id", sa.String(64), nullable=False, index=True),
    sa.Column("parameter", sa.String(20), nullable=False),
    sa.Column("kind", sa.SmallInteger, nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("opened_ts", sa.BigInteger, nullable=False),
    sa.Column("cleared_ts", sa.BigInteger, nullable=True),
)
sa.Index(
    "uq_fault_open",
    faults.c.series_id,
    faults.c.kind,
    unique=True,
    postgresql_where=faults.c.cleared_ts.is_(None),
    sqlite_where=faults.c.cleared_ts.is_(None),
)

# Concentration limits from the permits service's events, per outlet and parameter.
outlet_limits = sa.Table(
    "outlet_limits",
    metadata,
    sa.Column("outlet_id", sa.String(100), primary_key=True),
    sa.Column("parameter", sa.String(20), primary_key=True),
    sa.Column("limit_value", sa.Double, nullable=False),
    sa.Column("floor", sa.Double, nullable=False),
    sa.Column("unit", sa.String(20), nullable=False),
    sa.Column("uscc", sa.String(18), nullable=False),
    sa.Column("permit_number", sa.String(100), nullable=False, index=True),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_until", sa.Date, nullable=False),
)

idle_alarms = sa.Table(
    "treatment_idle_alarms",
    metadata,
    sa.Column("alarm_id", sa.String(36), primary_key=True),
    sa.Column("uscc", sa.String(18), nullable=False),
    sa.Column("production_station_id", sa.String(64), nullable=False, index=True),
    sa.Column("treatment_station_id", sa.String(64), nullable=False),
    sa.Column("started_ts", sa.BigInteger, nullable=False),
    sa.Column("detected_ts", sa.BigInteger, nullable=False),
)

# Each air station's published daily AQI (DailyAqiComputed), one row per station and China-time
# day: the "published" mark written in the same transaction as the event's outbox row, so a restart
# neither loses nor repeats a day. `signature` is the figure as published; a recomputation that
# differs (late readings) is published again with revision + 1.
daily_aqi = sa.Table(
    "daily_aqi",
    metadata,
    sa.Column("station_id", sa.String(64), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("valid", sa.Boolean, nullable=False),
    sa.Column("aqi", sa.Integer, nullable=True),
    sa.Column("signature", sa.Text, nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
)
