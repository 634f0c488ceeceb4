"""The gateway's own tables: operator accounts. (The search index lives in Elasticsearch.)"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

operators = sa.Table(
    "operators",
    metadata,
    sa.Column("username", sa.String(100), primary_key=True),
    sa.Column("display_name", sa.String(200), nullable=False),
    # admin | officer | inspector | grid | viewer
    sa.Column("role", sa.String(40), nullable=False),
    # A grid commissioner sees their own town; empty for city-wide roles.
    sa.Column("town", sa.String(100), nullable=False, server_default=""),
    sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
)

# Sessions signed out before they expire (POST /logout): the cookie's MAC, kept until the expiry the
# cookie itself carries, after which the signature refuses it anyway.
revoked_sessions = sa.Table(
    "revoked_sessions",
    metadata,
    sa.Column("mac", sa.String(64), primary_key=True),
    sa.Column("expires_at", sa.BigInteger, nullable=False),  # epoch seconds, as in the cookie
)
