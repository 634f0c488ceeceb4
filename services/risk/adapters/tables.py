"""Risk's tables (SQLAlchemy Core); their migrations are the revisions in ../migrations/.

Stock is kept in integer thousandths of the item's unit, so that a dispatch takes exactly what it
puts into `reserved` and the sum stock + reserved + delivered of an item never drifts; CHECK
constraints keep every part of it non-negative whatever a caller does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """An aware UTC instant on every backend (SQLite keeps no zone: values are stored as UTC and
    read back aware), so domain comparisons never meet a naive datetime."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Aware in, UTC stored."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; the risk service stores aware instants only")
        return (
            value.astimezone(UTC)
            if dialect.name == "postgresql"
            else value.astimezone(UTC).replace(tzinfo=None)
        )

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Aware UTC out."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = sa.MetaData()
_TS = UtcDateTime()
_MILLI = sa.BigInteger()


def _actor(prefix: str) -> list[sa.Column]:
    return [
        sa.Column(f"{prefix}_department", sa.String(100), nullable=False, server_default=""),
        sa.Column(f"{prefix}_user", sa.String(100), nullable=False, server_default=""),
        sa.Column(f"{prefix}_reason", sa.Text, nullable=False, server_default=""),
    ]


# Registry read model, fed by eco.permits.events.
enterprises = sa.Table(
    "risk_enterprises",
    metadata,
    sa.Column("uscc", sa.String(18), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, server_default=""),
    sa.Column("town", sa.String(100), nullable=False, server_default=""),
    sa.Column("lat", sa.Float, nullable=True),
    sa.Column("lon", sa.Float, nullable=True),
    sa.Column("updated_at", _TS, nullable=False),
)

assessments = sa.Table(
    "assessments",
    metadata,
    sa.Column("assessment_id", sa.String(36), primary_key=True),
    sa.Column("uscc", sa.String(18), nullable=False, index=True),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("code", sa.String(200), nullable=False),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("assessed_on", sa.Date, nullable=False),
    sa.Column("review_by", sa.Date, nullable=True),
    sa.Column("document_ref", sa.String(200), nullable=False, server_default=""),
    *_actor("assessor"),
    sa.Column("recorded_at", _TS, nullable=False),
    # The grading's inputs; the levels are recomputed from them by the domain when read.
    sa.Column("inputs", sa.JSON, nullable=False),
)

# One row per enterprise with a level: what RiskLevelChanged compares against, and the list's index.
enterprise_risk = sa.Table(
    "enterprise_risk",
    metadata,
    sa.Column("uscc", sa.String(18), primary_key=True),
    sa.Column("level", sa.Integer, nullable=True, index=True),
    sa.Column("assessed_level", sa.Integer, nullable=True),
    sa.Column("latest_assessment_id", sa.String(36), nullable=False, server_default=""),
    sa.Column("code", sa.String(200), nullable=False, server_default=""),
    sa.Column("counted_penalty", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("town", sa.String(100), nullable=False, server_default="", index=True),
    sa.Column("updated_at", _TS, nullable=False),
)

# Events that raise the dynamic score (exceedances, penalties, overdue hazards, manifest problems);
# (signal, ref) is unique, so a replayed event is recorded once.
risk_signals = sa.Table(
    "risk_signals",
    metadata,
    sa.Column("signal", sa.String(30), primary_key=True),
    sa.Column("ref", sa.String(100), primary_key=True),
    sa.Column("uscc", sa.String(18), nullable=False, index=True),
    sa.Column("at", _TS, nullable=False),
    sa.Column("ended_at", _TS, nullable=True),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
)

hazards = sa.Table(
    "hazards",
    metadata,
    sa.Column("hazard_id", sa.String(36), primary_key=True),
    sa.Column("uscc", sa.String(18), nullable=False, index=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("grade", sa.String(20), nullable=False),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("lat", sa.Float, nullable=True),
    sa.Column("lon", sa.Float, nullable=True),
    sa.Column("town", sa.String(100), nullable=False, server_default="", index=True),
    sa.Column("found_at", _TS, nullable=False),
    *_actor("found_by"),
    sa.Column("rectify_by", _TS, nullable=False, index=True),
    sa.Column("required_measures", sa.Text, nullable=False, server_default=""),
    sa.Column("status", sa.String(20), nullable=False, index=True),
    sa.Column("lapsed_deadline", _TS, nullable=True),
    sa.Column("overdue_since", _TS, nullable=True),
    sa.Column("rectification", sa.JSON, nullable=True),
    sa.Column("deadline_changes", sa.JSON, nullable=False),
    sa.Column("closed_at", _TS, nullable=True),
    sa.Column("updated_at", _TS, nullable=False),
)

depots = sa.Table(
    "depots",
    metadata,
    sa.Column("depot_id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("town", sa.String(100), nullable=False, server_default="", index=True),
    sa.Column("department", sa.String(100), nullable=False, server_default=""),
    sa.Column("contact", sa.String(200), nullable=False, server_default=""),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("updated_at", _TS, nullable=False),
)

depot_stock = sa.Table(
    "depot_stock",
    metadata,
    sa.Column("depot_id", sa.String(36), sa.ForeignKey("depots.depot_id"), primary_key=True),
    sa.Column("item_code", sa.String(60), primary_key=True),
    sa.Column("quantity_milli", _MILLI, nullable=False),
    sa.Column("reserved_milli", _MILLI, nullable=False, server_default="0"),
    sa.Column("delivered_milli", _MILLI, nullable=False, server_default="0"),
    sa.Column("minimum_milli", _MILLI, nullable=False, server_default="0"),
    sa.Column("updated_at", _TS, nullable=False),
    sa.CheckConstraint("quantity_milli >= 0", name="stock_never_negative"),
    sa.CheckConstraint("reserved_milli >= 0", name="reserved_never_negative"),
    sa.CheckConstraint("delivered_milli >= 0", name="delivered_never_negative"),
    sa.CheckConstraint("minimum_milli >= 0", name="minimum_never_negative"),
)

emergencies = sa.Table(
    "emergencies",
    metadata,
    sa.Column("emergency_id", sa.String(36), primary_key=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("grade", sa.Integer, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("radius_m", sa.Float, nullable=False),
    sa.Column("town", sa.String(100), nullable=False, server_default="", index=True),
    sa.Column("uscc", sa.String(18), nullable=False, server_default="", index=True),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("status", sa.String(20), nullable=False, index=True),
    sa.Column("needs", sa.JSON, nullable=False),
    sa.Column("dispatch_ids", sa.JSON, nullable=False),
    sa.Column("declared_at", _TS, nullable=False),
    *_actor("declared_by"),
    sa.Column("closed_at", _TS, nullable=True),
    sa.Column("summary", sa.Text, nullable=False, server_default=""),
)

dispatch_orders = sa.Table(
    "dispatch_orders",
    metadata,
    sa.Column("dispatch_id", sa.String(36), primary_key=True),
    sa.Column(
        "emergency_id", sa.String(36), sa.ForeignKey("emergencies.emergency_id"), nullable=False, index=True
    ),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("unmet", sa.JSON, nullable=False),
    sa.Column("dispatched_at", _TS, nullable=False),
    sa.Column("delivered_at", _TS, nullable=True),
    *_actor("actor"),
)

dispatch_lines = sa.Table(
    "dispatch_lines",
    metadata,
    sa.Column("dispatch_id", sa.String(36), sa.ForeignKey("dispatch_orders.dispatch_id"), primary_key=True),
    sa.Column("depot_id", sa.String(36), primary_key=True, index=True),
    sa.Column("item_code", sa.String(60), primary_key=True),
    sa.Column("depot_name", sa.String(200), nullable=False),
    sa.Column("quantity_milli", _MILLI, nullable=False),
    sa.Column("returned_milli", _MILLI, nullable=False, server_default="0"),
    sa.Column("distance_m", sa.Float, nullable=False),
    sa.Column("eta_minutes", sa.Integer, nullable=False),
    sa.CheckConstraint(
        "returned_milli >= 0 AND returned_milli <= quantity_milli", name="returned_within_taken"
    ),
)

manifests = sa.Table(
    "manifests",
    metadata,
    sa.Column("manifest_id", sa.String(36), primary_key=True),
    sa.Column("producer_uscc", sa.String(18), nullable=False, index=True),
    sa.Column("waste_code", sa.String(20), nullable=False),
    sa.Column("waste_name", sa.String(200), nullable=False, server_default=""),
    sa.Column("receiver", sa.String(200), nullable=False),
    sa.Column("deadline", _TS, nullable=False, index=True),
    sa.Column("run_id", sa.String(60), nullable=False, server_default="", index=True),
    sa.Column("status", sa.Integer, nullable=False, index=True),
    sa.Column("steps", sa.JSON, nullable=False),
    sa.Column("mismatch_announced", sa.JSON, nullable=False),
    sa.Column("stuck_announced", sa.Boolean, nullable=False, server_default=sa.false()),
)

disused_sources = sa.Table(
    "disused_sources",
    metadata,
    sa.Column("source_id", sa.String(36), primary_key=True),
    sa.Column("uscc", sa.String(18), nullable=False, index=True),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("nuclide", sa.String(20), nullable=False),
    sa.Column("category", sa.Integer, nullable=False),
    sa.Column("serial", sa.String(60), nullable=False, server_default=""),
    sa.Column("disused_on", sa.Date, nullable=False, index=True),
    sa.Column("disposed_on", sa.Date, nullable=True),
    sa.Column("route", sa.String(30), nullable=True),
    sa.Column("receiver", sa.String(200), nullable=False, server_default=""),
    sa.Column("certificate_ref", sa.String(200), nullable=False, server_default=""),
)

# Emergency notifications with gap-free positions in commit order: each writer takes the one
# counter row FOR UPDATE, so a later position can never commit before an earlier one.
notifications = sa.Table(
    "emergency_notifications",
    metadata,
    sa.Column(
        "position", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=False
    ),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("emergency_id", sa.String(36), nullable=False),
    sa.Column("snapshot", sa.JSON, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("at", _TS, nullable=False),
)

notification_counter = sa.Table(
    "emergency_notification_counter",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("last_position", sa.BigInteger, nullable=False),
)
