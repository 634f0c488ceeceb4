"""Monitoring baseline: stations, series, readings, latest, exceedances, faults, outlet limits, idle alarms.

Baseline: today's schema, equal to what the numbered migrations 100, 101 made before
Alembic; a database they made is stamped here (see `legacy_versions`). Frozen: never edit it; a
change is a new revision. Downgrades are not supported.
"""

import sqlalchemy as sa
from alembic import op

revision = "monitoring_0101"
down_revision = None
branch_labels = ("monitoring",)
depends_on = None
# The numbered migrations of the mechanism before Alembic that this revision replaces.
legacy_versions = (100, 101)


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "device_faults",
        sa.Column("fault_id", sa.String(length=36), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("parameter", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("opened_ts", sa.BigInteger(), nullable=False),
        sa.Column("cleared_ts", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("fault_id"),
    )
    op.create_index(op.f("ix_device_faults_station_id"), "device_faults", ["station_id"], unique=False)
    op.create_index(
        "uq_fault_open",
        "device_faults",
        ["series_id", "kind"],
        unique=True,
        postgresql_where=sa.text("cleared_ts IS NULL"),
        sqlite_where=sa.text("cleared_ts IS NULL"),
    )
    op.create_table(
        "exceedances",
        sa.Column("exceedance_id", sa.String(length=36), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("parameter", sa.String(length=20), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("limit_value", sa.Double(), nullable=False),
        sa.Column("limit_basis", sa.String(length=200), nullable=False),
        sa.Column("target_class", sa.SmallInteger(), nullable=True),
        sa.Column("opened_ts", sa.BigInteger(), nullable=False),
        sa.Column("cleared_ts", sa.BigInteger(), nullable=True),
        sa.Column("max_value", sa.Double(), nullable=False),
        sa.Column("max_multiple", sa.Double(), nullable=False),
        sa.Column("uscc", sa.String(length=18), server_default="", nullable=False),
        sa.Column("outlet_id", sa.String(length=100), server_default="", nullable=False),
        sa.Column("cleared_reason", sa.String(length=200), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("exceedance_id"),
    )
    op.create_index(op.f("ix_exceedances_station_id"), "exceedances", ["station_id"], unique=False)
    op.create_index(
        "uq_exceedance_open",
        "exceedances",
        ["series_id"],
        unique=True,
        postgresql_where=sa.text("cleared_ts IS NULL"),
        sqlite_where=sa.text("cleared_ts IS NULL"),
    )
    op.create_table(
        "latest_readings",
        sa.Column("series_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("flags", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series_id"),
    )
    op.create_table(
        "outlet_limits",
        sa.Column("outlet_id", sa.String(length=100), nullable=False),
        sa.Column("parameter", sa.String(length=20), nullable=False),
        sa.Column("limit_value", sa.Double(), nullable=False),
        sa.Column("floor", sa.Double(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("permit_number", sa.String(length=100), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("outlet_id", "parameter"),
    )
    op.create_index(op.f("ix_outlet_limits_permit_number"), "outlet_limits", ["permit_number"], unique=False)
    op.create_table(
        "readings",
        sa.Column("series_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("ts", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("flags", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series_id", "ts"),
    )
    op.create_table(
        "stations",
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.SmallInteger(), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("town", sa.String(length=100), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registered_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("station_id"),
    )
    op.create_index(op.f("ix_stations_type"), "stations", ["type"], unique=False)
    op.create_table(
        "treatment_idle_alarms",
        sa.Column("alarm_id", sa.String(length=36), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("production_station_id", sa.String(length=64), nullable=False),
        sa.Column("treatment_station_id", sa.String(length=64), nullable=False),
        sa.Column("started_ts", sa.BigInteger(), nullable=False),
        sa.Column("detected_ts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("alarm_id"),
    )
    op.create_index(
        op.f("ix_treatment_idle_alarms_production_station_id"),
        "treatment_idle_alarms",
        ["production_station_id"],
        unique=False,
    )
    op.create_table(
        "series",
        sa.Column("series_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("parameter", sa.String(length=20), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("interval_seconds", sa.Integer(), nullable=False),
        sa.Column("alarm_limit", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.station_id"],
        ),
        sa.PrimaryKeyConstraint("series_id"),
        sa.UniqueConstraint("station_id", "parameter", name="uq_series_station_parameter"),
    )
