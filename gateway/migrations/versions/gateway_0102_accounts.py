"""Accounts with passwords, lockout and an area; sessions; the account audit (issue 15).

The first release's operators (one long-lived token each) are copied into accounts, keeping their
token for machine clients and taking the roles that replaced theirs (officer -> dispatcher, grid ->
grid_commissioner); they have no password until an administrator sets one. Signed cookies and their
revocations are gone: sessions are rows now, so revoked_sessions is dropped with operators.

Revision ID: gateway_0102
Revises: gateway_0101

Frozen: a revision never changes once merged and never imports the component's tables.py (which
keeps changing); write the schema out with op.* calls. Downgrades are not supported (roll forward).
"""

import time

import sqlalchemy as sa
from alembic import op

revision = "gateway_0102"
down_revision = "gateway_0101"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create accounts, sessions and account_audit; move the operators over; drop the old tables."""
    op.create_table(
        "account_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("client", sa.String(length=100), server_default="", nullable=False),
        sa.Column("detail", sa.String(length=500), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_account_audit_action"), "account_audit", ["action"], unique=False)
    op.create_index(op.f("ix_account_audit_subject"), "account_audit", ["subject"], unique=False)
    op.create_table(
        "accounts",
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("town", sa.String(length=100), server_default="", nullable=False),
        sa.Column("grid", sa.String(length=100), server_default="", nullable=False),
        sa.Column("password_hash", sa.String(length=300), server_default="", nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=True),
        sa.Column("disabled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("failed_sign_ins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", sa.Float(), server_default="0", nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("username"),
        sa.UniqueConstraint("token_sha256"),
    )
    op.create_table(
        "sessions",
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("token_sha256"),
    )
    op.create_index(op.f("ix_sessions_username"), "sessions", ["username"], unique=False)
    now = time.time()
    op.execute(
        sa.text(
            "INSERT INTO accounts (username, display_name, role, town, grid, password_hash, token_sha256,"
            " disabled, failed_sign_ins, locked_until, created_at, updated_at)"
            " SELECT username, display_name,"
            " CASE role WHEN 'officer' THEN 'dispatcher' WHEN 'grid' THEN 'grid_commissioner' ELSE role END,"
            " town, '', '', token_sha256, FALSE, 0, 0, :now, :now FROM operators"
        ).bindparams(now=now)
    )
    op.drop_table("revoked_sessions")
    op.drop_table("operators")
