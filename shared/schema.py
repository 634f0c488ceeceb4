"""Tables every component has: the transactional outbox, processed events, the gRPC audit log and
dead letters. Their migrations are the `shared` branch in shared/migrations/versions/.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

outbox = sa.Table(
    "outbox",
    metadata,
    # Autoincrement gives the publishing order, which keeps one subject's events in order.
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(36), nullable=False, unique=True),
    sa.Column("topic", sa.String(200), nullable=False),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("event_type", sa.String(100), nullable=False),
    sa.Column("envelope", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text, nullable=True),
)
sa.Index("ix_outbox_unsent", outbox.c.sent_at, outbox.c.id)

processed_events = sa.Table(
    "processed_events",
    metadata,
    sa.Column("consumer", sa.String(100), primary_key=True),
    sa.Column("event_id", sa.String(36), primary_key=True),
    sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("department", sa.String(100), nullable=False),
    sa.Column("method", sa.String(200), nullable=False),
    sa.Column("status", sa.String(40), nullable=False),
    sa.Column("duration_ms", sa.Float, nullable=False),
    sa.Column("trace_id", sa.String(64), nullable=False),
    sa.Column("peer", sa.String(200), nullable=False),
    sa.Column("detail", sa.Text, nullable=True),
)

# Events a consumer could not handle after several attempts: kept whole, so that nothing is lost
# and one bad event does not block its partition; an operator replays them after a fix.
dead_letters = sa.Table(
    "dead_letters",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("consumer", sa.String(100), nullable=False),
    sa.Column("topic", sa.String(200), nullable=False),
    sa.Column("partition", sa.Integer, nullable=False),
    sa.Column("offset", sa.BigInteger, nullable=False),
    sa.Column("raw", sa.LargeBinary, nullable=False),
    sa.Column("error", sa.Text, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("replayed_at", sa.DateTime(timezone=True), nullable=True),
)
