"""Gateway baseline: operators and revoked sessions.

Baseline: today's schema, equal to what the numbered migrations 100, 101 made before
Alembic; a database they made is stamped here (see `legacy_versions`). Frozen: never edit it; a
change is a new revision. Downgrades are not supported.
"""

import sqlalchemy as sa
from alembic import op

revision = "gateway_0101"
down_revision = None
branch_labels = ("gateway",)
depends_on = None
# The numbered migrations of the mechanism before Alembic that this revision replaces.
legacy_versions = (100, 101)


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "operators",
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("town", sa.String(length=100), server_default="", nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=True),
        sa.PrimaryKeyConstraint("username"),
        sa.UniqueConstraint("token_sha256"),
    )
    op.create_table(
        "revoked_sessions",
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("mac"),
    )
