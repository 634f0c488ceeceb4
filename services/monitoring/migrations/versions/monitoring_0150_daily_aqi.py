"""Daily AQI published per station and China-time day (DailyAqiComputed marks, issue 14).

Revision ID: monitoring_0150
Revises: monitoring_0101
Create Date: 2026-12-02 03:23:56.472776

Frozen: a revision never changes once merged and never imports the component's tables.py (which
keeps changing); write the schema out with op.* calls. Downgrades are not supported (roll forward).
"""

import sqlalchemy as sa
from alembic import op

revision = "monitoring_0150"
down_revision = "monitoring_0101"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create daily_aqi."""
    op.create_table(
        "daily_aqi",
        sa.Column("station_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("aqi", sa.Integer(), nullable=True),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("station_id", "day"),
    )
