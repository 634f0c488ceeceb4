"""Each station-day's published concentrations in daily_aqi, for the city's daily AQI (issue 14).

Revision ID: evaluation_0151
Revises: evaluation_0150
Create Date: 2026-12-02 06:42:09.211947

Rows stored before this revision get "{}" (no concentrations): they count for no indicator of a city
day until a replay of the monitoring topic refills them from DailyAqiComputed.pollutants.

Frozen: a revision never changes once merged and never imports the component's tables.py (which
keeps changing); write the schema out with op.* calls. Downgrades are not supported (roll forward).
"""

import sqlalchemy as sa
from alembic import op

revision = "evaluation_0151"
down_revision = "evaluation_0150"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add daily_aqi.concentrations (JSON text, "{}" for none)."""
    op.add_column("daily_aqi", sa.Column("concentrations", sa.Text(), server_default="{}", nullable=False))
