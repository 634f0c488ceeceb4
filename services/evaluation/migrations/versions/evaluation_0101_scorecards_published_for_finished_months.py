"""Scorecards published for finished months (ScorecardPublished goes out once per subject and period).

Revision ID: evaluation_0101
Revises: evaluation_0100
Create Date: 2026-12-02 01:29:54.345021

Frozen: a revision never changes once merged and never imports the component's tables.py (which
keeps changing); write the schema out with op.* calls. Downgrades are not supported (roll forward).
"""

import sqlalchemy as sa
from alembic import op

revision = "evaluation_0101"
down_revision = "evaluation_0100"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create published_scorecards."""
    op.create_table(
        "published_scorecards",
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject", "period_start", "period_end"),
    )
