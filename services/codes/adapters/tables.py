"""The code service's tables (SQLAlchemy Core); their migrations are the revisions in ../migrations/."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# One row per enterprise: the current version of its code.
codes = sa.Table(
    "codes",
    metadata,
    sa.Column("uscc", sa.String(18), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("key_id", sa.String(32), nullable=False),
    # active | revoked
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoke_reason", sa.Text, nullable=False, server_default=""),
)

# Every version ever issued, so a scanned old token can be told "superseded" from "revoked".
code_versions = sa.Table(
    "code_versions",
    metadata,
    sa.Column("uscc", sa.String(18), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("key_id", sa.String(32), nullable=False),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    # NULL while the version is current; rotated | revoked after.
    sa.Column("ended_by", sa.String(16), nullable=True),
    sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    # Why the version was issued (first issue, rotation, reissue) ...
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    # ... and why it ended (rotated or revoked): two facts, two columns (migration 101).
    sa.Column("end_reason", sa.Text, nullable=False, server_default=""),
)

# The public read model, fed by permits' and evaluation's events. Public fields only: no contacts,
# locations, risk flags or notes are ever stored here, so none can leak through the public page.
enterprise_status = sa.Table(
    "enterprise_status",
    metadata,
    sa.Column("uscc", sa.String(18), primary_key=True),
    sa.Column("name", sa.String(300), nullable=False, server_default=""),
    sa.Column("town", sa.String(100), nullable=False, server_default=""),
    sa.Column("industry", sa.String(200), nullable=False, server_default=""),
    sa.Column("profile_as_of", sa.DateTime(timezone=True), nullable=True),
    sa.Column("credit_level", sa.String(16), nullable=False, server_default="unrated"),
    sa.Column("credit_as_of", sa.DateTime(timezone=True), nullable=True),
    sa.Column("permit_number", sa.String(100), nullable=False, server_default=""),
    sa.Column("permit_state", sa.String(16), nullable=False, server_default="none"),
    sa.Column("permit_class", sa.String(16), nullable=False, server_default=""),
    sa.Column("permit_valid_from", sa.Date, nullable=True),
    sa.Column("permit_valid_to", sa.Date, nullable=True),
    sa.Column("permit_as_of", sa.DateTime(timezone=True), nullable=True),
)
sa.Index("ix_enterprise_status_town", enterprise_status.c.town)

# Scans per enterprise and local day. Nothing about who scanned is kept: no address, no device id.
scan_counts = sa.Table(
    "scan_counts",
    metadata,
    sa.Column("uscc", sa.String(18), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
)
sa.Index("ix_scan_counts_day", scan_counts.c.day)

# Batches of scans counted by the gateway, by id, so that a retried batch is counted once.
scan_batches = sa.Table(
    "scan_batches",
    metadata,
    sa.Column("batch_id", sa.String(64), primary_key=True),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
)
