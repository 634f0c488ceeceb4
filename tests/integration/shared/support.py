"""A handler's visible side effect for the outbox/consumer tests: one row per application."""

from __future__ import annotations

import sqlalchemy as sa

from eco.v1 import events_pb2

metadata = sa.MetaData()
APPLIED = sa.Table(
    "applied_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # Deliberately not unique: a second application must show as a second row.
    sa.Column("event_id", sa.String(36), nullable=False),
    sa.Column("subject_id", sa.String(100), nullable=False),
)


def record_application(conn: sa.Connection, envelope: events_pb2.EventEnvelope) -> None:
    conn.execute(APPLIED.insert().values(event_id=envelope.event_id, subject_id=envelope.subject_id))


def applications(engine: sa.Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(sa.select(APPLIED.c.event_id, APPLIED.c.subject_id).order_by(APPLIED.c.id))
        ]
