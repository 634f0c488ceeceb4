"""The gateway's own tables: operator accounts, their sessions and the audit of both. (The search
index lives in Elasticsearch.)"""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from shared.db import Migration, create_tables

metadata = sa.MetaData()

# ---------------------------------------------------------------- the first release (100, 101)
# Accounts with one long-lived token each, and signed cookies revoked before their expiry. Kept
# here only so that their released migrations still read; 102 copies the accounts over and 105
# drops both.
legacy = sa.MetaData()
legacy_operators = sa.Table(
    "operators",
    legacy,
    sa.Column("username", sa.String(100), primary_key=True),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(40), nullable=False),
    sa.Column("town", sa.String(100), nullable=False, server_default=""),
    sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
)
legacy_revoked_sessions = sa.Table(
    "revoked_sessions",
    legacy,
    sa.Column("mac", sa.String(64), primary_key=True),
    sa.Column("expires_at", sa.BigInteger, nullable=False),
)

# ---------------------------------------------------------------- accounts (102)
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

# ---------------------------------------------------------------- sessions (103)
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

# ---------------------------------------------------------------- audit (104)
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

# The first release's roles, as the roles that took over their work.
LEGACY_ROLES = {"officer": "dispatcher", "grid": "grid_commissioner"}


def _copy_legacy_operators(conn: Connection) -> None:
    now = time.time()
    for row in conn.execute(sa.select(legacy_operators)):
        conn.execute(
            accounts.insert().values(
                username=row.username,
                display_name=row.display_name,
                role=LEGACY_ROLES.get(row.role, row.role),
                town=row.town,
                token_sha256=row.token_sha256,  # machine clients keep working; no password yet
                created_at=now,
                updated_at=now,
            )
        )


def _create_accounts(conn: Connection) -> None:
    accounts.create(conn)
    _copy_legacy_operators(conn)


def _drop_legacy(conn: Connection) -> None:
    legacy_revoked_sessions.drop(conn)
    legacy_operators.drop(conn)


MIGRATIONS = [
    Migration(100, "operators", create_tables(legacy_operators)),
    Migration(101, "revoked sessions", create_tables(legacy_revoked_sessions)),
    Migration(102, "accounts with passwords, lockout and scope", _create_accounts),
    Migration(103, "sessions", create_tables(sessions)),
    Migration(104, "account audit", create_tables(account_audit)),
    Migration(105, "drop the first release's operators and revoked sessions", _drop_legacy),
]
