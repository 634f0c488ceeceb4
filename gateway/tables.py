"""The gateway's own tables: operator accounts, their sessions and the audit of both. (The search
index lives in Elasticsearch.)"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# ---------------------------------------------------------------- accounts
accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("username", sa.String(100), primary_key=True),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(40), nullable=False),  # gateway.roles.ROLES
    # A grid commissioner's area: a town, or one grid (of that town); empty for city-wide roles.
    sa.Column("town", sa.String(100), nullable=False, server_default=""),
    sa.Column("grid", sa.String(100), nullable=False, server_default=""),
    # argon2id (RFC 9106) in PHC string form; empty: the account cannot sign in with a password.
    sa.Column("password_hash", sa.String(300), nullable=False, server_default=""),
    # A long-lived token for a machine client (sha256 of it); NULL: none issued.
    sa.Column("token_sha256", sa.String(64), nullable=True, unique=True),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("failed_sign_ins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", sa.Float, nullable=False, server_default="0"),  # epoch seconds
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

# ---------------------------------------------------------------- sessions
# A signed-in operator's session: a random value handed out once (cookie or bearer token), stored
# only as its sha256, so a copy of this table signs nobody in.
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_sha256", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(100), nullable=False, index=True),
    sa.Column("kind", sa.String(10), nullable=False),  # cookie | bearer
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
)

# ---------------------------------------------------------------- audit
account_audit = sa.Table(
    "account_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Float, nullable=False),  # epoch seconds
    sa.Column("actor", sa.String(100), nullable=False),  # who acted; the username tried for a sign-in
    sa.Column("action", sa.String(40), nullable=False, index=True),
    sa.Column("subject", sa.String(100), nullable=False, index=True),  # the account acted on
    sa.Column("outcome", sa.String(20), nullable=False),  # ok | refused
    sa.Column("client", sa.String(100), nullable=False, server_default=""),
    sa.Column("detail", sa.String(500), nullable=False, server_default=""),
)
