"""Daily AQI per air station and China-time day, from monitoring's DailyAqiComputed (issue 14).

Revision ID: evaluation_0150
Revises: evaluation_0101
Create Date: 2026-12-02 03:25:35.690087

Frozen: a revision never changes once merged and never imports the component's tables.py (which
keeps changing); write the schema out with op.* calls. Downgrades are not supported (roll forward).
"""

import sqlalchemy as sa
from alembic import op

revision = "evaluation_0150"
down_revision = "evaluation_0101"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create daily_aqi."""
    op.create_table(
        "daily_aqi",
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("town", sa.String(length=100), server_default="", nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("aqi", sa.Integer(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("primary_pollutants", sa.String(length=100), server_default="", nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("station_id", "day"),
    )
    op.create_index("ix_daily_aqi_day", "daily_aqi", ["day"], unique=False)
