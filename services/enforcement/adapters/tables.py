"""Enforcement's tables (SQLAlchemy Core); their migrations are the revisions in ../migrations/.

The provision catalogue, the minor-violation list and the stage deadlines are versioned data: each
edition is loaded by a migration from data/*.json and never changed afterwards; the newest edition
loaded is the one in force, and every decision and case records the edition it used.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

metadata = sa.MetaData()
_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """An aware datetime stored as UTC; SQLite gives naive values back, which are UTC by this rule."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Aware values only, stored in UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("enforcement stores aware datetimes only")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Aware UTC datetimes back."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _actor(prefix: str) -> list[sa.Column[Any]]:
    return [
        sa.Column(f"{prefix}_department", sa.String(100), nullable=False, server_default=""),
        sa.Column(f"{prefix}_user", sa.String(100), nullable=False, server_default=""),
        sa.Column(f"{prefix}_reason", sa.Text, nullable=False, server_default=""),
    ]


cases = sa.Table(
    "cases",
    metadata,
    sa.Column("case_id", sa.String(36), primary_key=True),
    sa.Column("case_number", sa.String(40), nullable=False, unique=True),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("source", sa.String(20), nullable=False, index=True),
    # The subject the case is about ("station:<id>/<parameter>" or "enterprise:<uscc>").
    sa.Column("subject", sa.String(200), nullable=False, index=True),
    sa.Column("uscc", sa.String(18), nullable=False, server_default="", index=True),
    sa.Column("station_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("lat", sa.Float, nullable=True),
    sa.Column("lon", sa.Float, nullable=True),
    sa.Column("town", sa.String(100), nullable=False, server_default="", index=True),
    sa.Column("grid_id", sa.String(64), nullable=False, server_default="", index=True),
    sa.Column("stage", sa.String(20), nullable=False, index=True),
    sa.Column("outcome", sa.String(20), nullable=False, server_default=""),
    sa.Column("owner_department", sa.String(100), nullable=False, server_default=""),
    sa.Column("owner_user", sa.String(100), nullable=False, server_default=""),
    sa.Column("owner_commissioner_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("due_at", UtcDateTime, nullable=True, index=True),
    sa.Column("escalation_level", sa.Integer, nullable=False, server_default="0"),
    sa.Column("escalated_lapse", UtcDateTime, nullable=True),
    sa.Column("deadline_version", sa.String(40), nullable=False),
    sa.Column("opened_at", UtcDateTime, nullable=False, index=True),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("closed_at", UtcDateTime, nullable=True),
    # Whole sub-records written once per step, read back whole: JSON keeps them in one row.
    sa.Column("candidates", sa.JSON, nullable=False),
    sa.Column("investigation", sa.JSON, nullable=True),
    sa.Column("decision", sa.JSON, nullable=True),
    sa.Column("rectification", sa.JSON, nullable=True),
    sa.Column("evidence_head", sa.String(64), nullable=False, server_default=""),
    sa.Column("evidence_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_evidence_sha256", sa.String(64), nullable=False, server_default=""),
)

# The source of case numbers: one row per case, its autoincrement id the number's sequence.
case_numbers = sa.Table(
    "case_numbers",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.String(36), nullable=False, unique=True),
)

case_history = sa.Table(
    "case_history",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.case_id"), nullable=False, index=True),
    sa.Column("from_stage", sa.String(20), nullable=False, server_default=""),
    sa.Column("to_stage", sa.String(20), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    *_actor("actor"),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
)

# One row per escalation; `lapse` is the deadline that passed (or "manual:<id>"), so one lapse is
# escalated once even when two workers race for it.
escalations = sa.Table(
    "escalations",
    metadata,
    sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.case_id"), primary_key=True),
    sa.Column("lapse", sa.String(80), primary_key=True),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("reason", sa.String(20), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
)

# One row per rectification date that passed without a verified rectification: the key is the date,
# so RectificationOverdue is announced once per lapse even when two workers race for it.
rectification_lapses = sa.Table(
    "rectification_lapses",
    metadata,
    sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.case_id"), primary_key=True),
    sa.Column("rectify_by", UtcDateTime, primary_key=True),
    sa.Column("announced_at", UtcDateTime, nullable=False),
)

problems = sa.Table(
    "problems",
    metadata,
    sa.Column("problem_id", sa.String(36), primary_key=True),
    sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.case_id"), nullable=False, index=True),
    sa.Column("source", sa.String(20), nullable=False, index=True),
    sa.Column("source_ref", sa.String(200), nullable=False, server_default=""),
    sa.Column("subject", sa.String(200), nullable=False, index=True),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("category", sa.String(20), nullable=False),
    sa.Column("uscc", sa.String(18), nullable=False, server_default="", index=True),
    sa.Column("station_id", sa.String(64), nullable=False, server_default="", index=True),
    sa.Column("parameter", sa.String(40), nullable=False, server_default=""),
    # Water sections: the river, for tracing sources upstream.
    sa.Column("river", sa.String(100), nullable=False, server_default=""),
    sa.Column("lat", sa.Float, nullable=True),
    sa.Column("lon", sa.Float, nullable=True),
    sa.Column("town", sa.String(100), nullable=False, server_default="", index=True),
    sa.Column("grid_id", sa.String(64), nullable=False, server_default="", index=True),
    sa.Column("severity", sa.String(10), nullable=False),
    sa.Column("occurred_at", UtcDateTime, nullable=False),
    sa.Column("opened_at", UtcDateTime, nullable=False, index=True),
    *_actor("opened_by"),
)

# Every source reference (event id, petition id, ...) that reached a problem: opening it, appended
# to it or recorded on it. The key makes a redelivered event or a repeated call land once.
problem_refs = sa.Table(
    "problem_refs",
    metadata,
    sa.Column("source", sa.String(20), primary_key=True),
    sa.Column("source_ref", sa.String(200), primary_key=True),
    # No foreign key: the reference is claimed before the problem row is written, so the claim is
    # what decides between two concurrent deliveries.
    sa.Column("problem_id", sa.String(36), nullable=False),
)

problem_history = sa.Table(
    "problem_history",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("problem_id", sa.String(36), sa.ForeignKey("problems.problem_id"), nullable=False, index=True),
    sa.Column("at", UtcDateTime, nullable=False),
    *_actor("actor"),
    sa.Column("what", sa.String(100), nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("source_ref", sa.String(200), nullable=False, server_default=""),
)

evidence = sa.Table(
    "evidence",
    metadata,
    sa.Column("evidence_id", sa.String(36), primary_key=True),
    sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.case_id"), nullable=False),
    sa.Column("sequence", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("media_type", sa.String(100), nullable=False, server_default=""),
    sa.Column("content_sha256", sa.String(64), nullable=False),
    sa.Column("content_uri", sa.String(1000), nullable=False, server_default=""),
    sa.Column("size_bytes", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("stored_here", sa.Boolean, nullable=False),
    sa.Column("previous_sha256", sa.String(64), nullable=False),
    sa.Column("item_sha256", sa.String(64), nullable=False),
    sa.Column("source_ref", sa.String(200), nullable=False, server_default=""),
    sa.Column("collected_at", UtcDateTime, nullable=False),
    *_actor("collected_by"),
    sa.Column("lat", sa.Float, nullable=True),
    sa.Column("lon", sa.Float, nullable=True),
    sa.Column("recorded_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("case_id", "sequence", name="uq_evidence_case_sequence"),
)

grids = sa.Table(
    "grids",
    metadata,
    sa.Column("grid_id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("town", sa.String(100), nullable=False, server_default="", index=True),
    sa.Column("parent_grid_id", sa.String(64), nullable=False, server_default="", index=True),
    sa.Column("level", sa.Integer, nullable=False),
    # [[lon, lat], ...], the ring open (first point not repeated).
    sa.Column("boundary", sa.JSON, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

commissioners = sa.Table(
    "commissioners",
    metadata,
    sa.Column("commissioner_id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("phone", sa.String(40), nullable=False, server_default=""),
    sa.Column("department", sa.String(100), nullable=False, server_default=""),
    sa.Column("active", sa.Boolean, nullable=False),
)

# Which commissioners serve which grids: the one record both Grid.commissioner_ids and
# Commissioner.grid_ids are read from.
grid_commissioners = sa.Table(
    "grid_commissioners",
    metadata,
    sa.Column("grid_id", sa.String(64), sa.ForeignKey("grids.grid_id"), primary_key=True),
    sa.Column(
        "commissioner_id", sa.String(64), sa.ForeignKey("commissioners.commissioner_id"), primary_key=True
    ),
)

# Read model for source tracing, fed by permits' and monitoring's events: wastewater outlets, the
# river they discharge into, what their permits allow, and the online monitor on each.
outlets = sa.Table(
    "outlets",
    metadata,
    sa.Column("outlet_id", sa.String(40), primary_key=True),
    sa.Column("uscc", sa.String(18), nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False, server_default=""),
    sa.Column("river", sa.String(100), nullable=False, server_default="", index=True),
    sa.Column("lat", sa.Float, nullable=True),
    sa.Column("lon", sa.Float, nullable=True),
    sa.Column("permitted", sa.JSON, nullable=False),
    sa.Column("station_id", sa.String(64), nullable=False, server_default=""),
)

editions = sa.Table(
    "editions",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    # "provisions", "minor_violations" or "deadlines".
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("version", sa.String(40), nullable=False),
    sa.Column("document", sa.JSON, nullable=False),
    sa.UniqueConstraint("kind", "version", name="uq_editions_kind_version"),
)


# ---- Double-random inspections (双随机、一公开) and petitions (信访): revision enforcement_0110 ----
# Records whose shape the service reads whole are kept as a JSON document, with the columns the
# lists filter and sort on beside it.

inspectors = sa.Table(
    "inspectors",
    metadata,
    sa.Column("inspector_id", sa.String(64), primary_key=True),
    sa.Column("department", sa.String(100), nullable=False, index=True),
    sa.Column("town", sa.String(50), nullable=False, server_default="", index=True),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("document", sa.JSON, nullable=False),
)

# The draw's view of each regulated unit: fed by permits' registry, evaluation's CreditChanged and
# risk's RiskLevelChanged (each column by its own event, so their order does not matter).
inspection_targets = sa.Table(
    "inspection_targets",
    metadata,
    sa.Column("uscc", sa.String(18), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, server_default=""),
    sa.Column("town", sa.String(50), nullable=False, server_default=""),
    sa.Column("grid_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("permit_class", sa.String(20), nullable=False, server_default=""),
    sa.Column("risk_flags", sa.JSON, nullable=False),
    sa.Column("credit", sa.String(10), nullable=False, server_default="unrated"),
    sa.Column("risk_level", sa.String(20), nullable=False, server_default=""),
    sa.Column("registered", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("lat", sa.Float, nullable=True),
    sa.Column("lon", sa.Float, nullable=True),
)

inspection_plans = sa.Table(
    "inspection_plans",
    metadata,
    sa.Column("plan_id", sa.String(36), primary_key=True),
    sa.Column("department", sa.String(100), nullable=False, index=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("document", sa.JSON, nullable=False),
)

# Draws are written once and never updated: the published document is what anyone verifies.
draws = sa.Table(
    "draws",
    metadata,
    sa.Column("draw_id", sa.String(36), primary_key=True),
    sa.Column("plan_id", sa.String(36), nullable=False, index=True),
    sa.Column("drawn_at", UtcDateTime, nullable=False),
    sa.Column("drawn_by", sa.JSON, nullable=False),
    sa.Column("inputs_sha256", sa.String(64), nullable=False),
    sa.Column("published", sa.JSON, nullable=False),
    sa.Column("exclusions", sa.JSON, nullable=False),
)

inspection_tasks = sa.Table(
    "inspection_tasks",
    metadata,
    sa.Column("task_id", sa.String(36), primary_key=True),
    sa.Column("draw_id", sa.String(36), nullable=False, index=True),
    sa.Column("plan_id", sa.String(36), nullable=False, index=True),
    sa.Column("uscc", sa.String(18), nullable=False, index=True),
    sa.Column("status", sa.String(12), nullable=False, index=True),
    sa.Column("inspector_ids", sa.JSON, nullable=False),
    sa.Column("published_at", UtcDateTime, nullable=True),
    sa.Column("document", sa.JSON, nullable=False),
)

petitions = sa.Table(
    "petitions",
    metadata,
    sa.Column("petition_id", sa.String(36), primary_key=True),
    sa.Column("tracking_code", sa.String(40), nullable=False, unique=True),
    sa.Column("uscc", sa.String(18), nullable=False, server_default="", index=True),
    sa.Column("category", sa.String(20), nullable=False),
    sa.Column("town", sa.String(50), nullable=False, server_default="", index=True),
    sa.Column("grid_id", sa.String(64), nullable=False, server_default="", index=True),
    sa.Column("status", sa.String(12), nullable=False, index=True),
    sa.Column("received_at", UtcDateTime, nullable=False, index=True),
    # The deadline of the current step (null once answered, declined or closed).
    sa.Column("due_at", UtcDateTime, nullable=True, index=True),
    # The deadline already escalated for: one escalation per lapse.
    sa.Column("escalated_due_at", UtcDateTime, nullable=True),
    # Private: the petitioner's contact, erased at purge_after (data/petition_retention.json).
    sa.Column("contact", sa.String(100), nullable=False, server_default=""),
    sa.Column("purge_after", UtcDateTime, nullable=True, index=True),
    sa.Column("document", sa.JSON, nullable=False),
)
