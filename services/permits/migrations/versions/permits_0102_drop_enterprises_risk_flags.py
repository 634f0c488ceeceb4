"""Drop the dead column enterprises.risk_flags.

Risk flags live only in risk_flag_periods (open periods are the current flags); nothing has read or
written the old comma-list column since, and rows registered before kept a stale copy of their flags.

Revision ID: permits_0102
Revises: permits_0101
"""

from alembic import op

revision = "permits_0102"
down_revision = "permits_0101"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Drop the column (SQLite 3.35+ and PostgreSQL drop a column in place)."""
    op.drop_column("enterprises", "risk_flags")
