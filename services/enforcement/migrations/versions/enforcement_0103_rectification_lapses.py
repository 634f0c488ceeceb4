"""Rectification lapses: one row per decided case's rectification date that passed, so that
RectificationOverdue is announced once per lapse.

Revision ID: enforcement_0103
Revises: enforcement_0101

Frozen: a revision never changes once merged and never imports the component's tables.py (which
keeps changing); write the schema out with op.* calls. Downgrades are not supported (roll forward).
"""

import sqlalchemy as sa
from alembic import op

revision = "enforcement_0103"
down_revision = "enforcement_0101"
branch_labels = None
depends_on = None
# A dev database that applied the numbered migration 103 of this branch before Alembic is adopted.
legacy_versions = (103,)


def upgrade() -> None:
    """Create rectification_lapses."""
    op.create_table(
        "rectification_lapses",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("rectify_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.case_id"]),
        sa.PrimaryKeyConstraint("case_id", "rectify_by"),
    )
