"""Evaluation baseline: read model, profiles, credits, credit history and repairs.

Baseline: today's schema, equal to what the numbered migrations 100 made before
Alembic; a database they made is stamped here (see `legacy_versions`). Frozen: never edit it; a
change is a new revision. Downgrades are not supported.
"""

import sqlalchemy as sa
from alembic import op

revision = "evaluation_0100"
down_revision = None
branch_labels = ("evaluation",)
depends_on = None
# The numbered migrations of the mechanism before Alembic that this revision replaces.
legacy_versions = (100,)


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "credit_history",
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("rules_version", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("uscc", "since"),
    )
    op.create_table(
        "credit_repairs",
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Text(), server_default="", nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("request_id"),
    )
    op.create_index("ix_credit_repairs_uscc", "credit_repairs", ["uscc"], unique=False)
    op.create_table(
        "credits",
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("score_level", sa.String(length=10), nullable=False),
        sa.Column("ceiling", sa.String(length=10), server_default="", nullable=False),
        sa.Column("rules_version", sa.String(length=64), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("town", sa.String(length=100), server_default="", nullable=False),
        sa.Column("published", sa.String(length=80), server_default="", nullable=False),
        sa.Column("next_change_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("uscc"),
    )
    op.create_index("ix_credits_level_town", "credits", ["level", "town"], unique=False)
    op.create_index("ix_credits_next_change", "credits", ["next_change_at"], unique=False)
    op.create_table(
        "facts",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uscc", sa.String(length=18), server_default="", nullable=False),
        sa.Column("subject", sa.String(length=200), server_default="", nullable=False),
        sa.Column("town", sa.String(length=100), server_default="", nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index("ix_facts_subject", "facts", ["subject"], unique=False)
    op.create_index("ix_facts_type_at", "facts", ["type", "at"], unique=False)
    op.create_index("ix_facts_uscc", "facts", ["uscc"], unique=False)
    op.create_table(
        "profiles",
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("town", sa.String(length=100), nullable=False),
        sa.Column("grid", sa.String(length=100), nullable=False),
        sa.Column("industry", sa.String(length=20), nullable=False),
        sa.Column("permit_class", sa.String(length=20), nullable=False),
        sa.Column("radiation", sa.Boolean(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("uscc"),
    )
    op.create_index("ix_profiles_town", "profiles", ["town"], unique=False)
