"""Codes baseline: codes, code versions, enterprise status read model, scan counts, scan batches.

Baseline: today's schema, equal to what the numbered migrations 100, 101, 102 made before
Alembic; a database they made is stamped here (see `legacy_versions`). Frozen: never edit it; a
change is a new revision. Downgrades are not supported.
"""

import sqlalchemy as sa
from alembic import op

revision = "codes_0102"
down_revision = None
branch_labels = ("codes",)
depends_on = None
# The numbered migrations of the mechanism before Alembic that this revision replaces.
legacy_versions = (100, 101, 102)


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "code_versions",
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_by", sa.String(length=16), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("end_reason", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("uscc", "version"),
    )
    op.create_table(
        "codes",
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoke_reason", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("uscc"),
    )
    op.create_table(
        "enterprise_status",
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=300), server_default="", nullable=False),
        sa.Column("town", sa.String(length=100), server_default="", nullable=False),
        sa.Column("industry", sa.String(length=200), server_default="", nullable=False),
        sa.Column("profile_as_of", sa.DateTime(timezone=True), nullable=True),
        sa.Column("credit_level", sa.String(length=16), server_default="unrated", nullable=False),
        sa.Column("credit_as_of", sa.DateTime(timezone=True), nullable=True),
        sa.Column("permit_number", sa.String(length=100), server_default="", nullable=False),
        sa.Column("permit_state", sa.String(length=16), server_default="none", nullable=False),
        sa.Column("permit_class", sa.String(length=16), server_default="", nullable=False),
        sa.Column("permit_valid_from", sa.Date(), nullable=True),
        sa.Column("permit_valid_to", sa.Date(), nullable=True),
        sa.Column("permit_as_of", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("uscc"),
    )
    op.create_index("ix_enterprise_status_town", "enterprise_status", ["town"], unique=False)
    op.create_table(
        "scan_batches",
        sa.Column("batch_id", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("batch_id"),
    )
    op.create_table(
        "scan_counts",
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("uscc", "day"),
    )
    op.create_index("ix_scan_counts_day", "scan_counts", ["day"], unique=False)
