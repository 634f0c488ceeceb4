"""Risk baseline: registry, assessments, signals, hazards, depots, emergencies, dispatch, manifests.

Baseline: today's schema, equal to what the numbered migrations 100, 101, 102 made before
Alembic; a database they made is stamped here (see `legacy_versions`). Frozen: never edit it; a
change is a new revision. Downgrades are not supported.
"""

import sqlalchemy as sa
from alembic import op

revision = "risk_0102"
down_revision = None
branch_labels = ("risk",)
depends_on = None
# The numbered migrations of the mechanism before Alembic that this revision replaces.
legacy_versions = (100, 101, 102)


def upgrade() -> None:
    """Create the tables and their first rows."""
    op.create_table(
        "assessments",
        sa.Column("assessment_id", sa.String(length=36), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("review_by", sa.Date(), nullable=True),
        sa.Column("document_ref", sa.String(length=200), server_default="", nullable=False),
        sa.Column("assessor_department", sa.String(length=100), server_default="", nullable=False),
        sa.Column("assessor_user", sa.String(length=100), server_default="", nullable=False),
        sa.Column("assessor_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("assessment_id"),
    )
    op.create_index(op.f("ix_assessments_uscc"), "assessments", ["uscc"], unique=False)
    op.create_table(
        "depots",
        sa.Column("depot_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("town", sa.String(length=100), server_default="", nullable=False),
        sa.Column("department", sa.String(length=100), server_default="", nullable=False),
        sa.Column("contact", sa.String(length=200), server_default="", nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("depot_id"),
    )
    op.create_index(op.f("ix_depots_town"), "depots", ["town"], unique=False)
    op.create_table(
        "disused_sources",
        sa.Column("source_id", sa.String(length=36), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("nuclide", sa.String(length=20), nullable=False),
        sa.Column("category", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(length=60), server_default="", nullable=False),
        sa.Column("disused_on", sa.Date(), nullable=False),
        sa.Column("disposed_on", sa.Date(), nullable=True),
        sa.Column("route", sa.String(length=30), nullable=True),
        sa.Column("receiver", sa.String(length=200), server_default="", nullable=False),
        sa.Column("certificate_ref", sa.String(length=200), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("source_id"),
    )
    op.create_index(op.f("ix_disused_sources_disused_on"), "disused_sources", ["disused_on"], unique=False)
    op.create_index(op.f("ix_disused_sources_uscc"), "disused_sources", ["uscc"], unique=False)
    op.create_table(
        "emergencies",
        sa.Column("emergency_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("radius_m", sa.Float(), nullable=False),
        sa.Column("town", sa.String(length=100), server_default="", nullable=False),
        sa.Column("uscc", sa.String(length=18), server_default="", nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("needs", sa.JSON(), nullable=False),
        sa.Column("dispatch_ids", sa.JSON(), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("declared_by_department", sa.String(length=100), server_default="", nullable=False),
        sa.Column("declared_by_user", sa.String(length=100), server_default="", nullable=False),
        sa.Column("declared_by_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("summary", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("emergency_id"),
    )
    op.create_index(op.f("ix_emergencies_status"), "emergencies", ["status"], unique=False)
    op.create_index(op.f("ix_emergencies_town"), "emergencies", ["town"], unique=False)
    op.create_index(op.f("ix_emergencies_uscc"), "emergencies", ["uscc"], unique=False)
    op.create_table(
        "emergency_notification_counter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "emergency_notifications",
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("emergency_id", sa.String(length=36), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("position"),
    )
    op.create_table(
        "enterprise_risk",
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("assessed_level", sa.Integer(), nullable=True),
        sa.Column("latest_assessment_id", sa.String(length=36), server_default="", nullable=False),
        sa.Column("code", sa.String(length=200), server_default="", nullable=False),
        sa.Column("counted_penalty", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("town", sa.String(length=100), server_default="", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("uscc"),
    )
    op.create_index(op.f("ix_enterprise_risk_level"), "enterprise_risk", ["level"], unique=False)
    op.create_index(op.f("ix_enterprise_risk_town"), "enterprise_risk", ["town"], unique=False)
    op.create_table(
        "hazards",
        sa.Column("hazard_id", sa.String(length=36), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("grade", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("town", sa.String(length=100), server_default="", nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("found_by_department", sa.String(length=100), server_default="", nullable=False),
        sa.Column("found_by_user", sa.String(length=100), server_default="", nullable=False),
        sa.Column("found_by_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("rectify_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("required_measures", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("lapsed_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rectification", sa.JSON(), nullable=True),
        sa.Column("deadline_changes", sa.JSON(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("hazard_id"),
    )
    op.create_index(op.f("ix_hazards_rectify_by"), "hazards", ["rectify_by"], unique=False)
    op.create_index(op.f("ix_hazards_status"), "hazards", ["status"], unique=False)
    op.create_index(op.f("ix_hazards_town"), "hazards", ["town"], unique=False)
    op.create_index(op.f("ix_hazards_uscc"), "hazards", ["uscc"], unique=False)
    op.create_table(
        "manifests",
        sa.Column("manifest_id", sa.String(length=36), nullable=False),
        sa.Column("producer_uscc", sa.String(length=18), nullable=False),
        sa.Column("waste_code", sa.String(length=20), nullable=False),
        sa.Column("waste_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("receiver", sa.String(length=200), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.String(length=60), server_default="", nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("mismatch_announced", sa.JSON(), nullable=False),
        sa.Column("stuck_announced", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("manifest_id"),
    )
    op.create_index(op.f("ix_manifests_deadline"), "manifests", ["deadline"], unique=False)
    op.create_index(op.f("ix_manifests_producer_uscc"), "manifests", ["producer_uscc"], unique=False)
    op.create_index(op.f("ix_manifests_run_id"), "manifests", ["run_id"], unique=False)
    op.create_index(op.f("ix_manifests_status"), "manifests", ["status"], unique=False)
    op.create_table(
        "risk_enterprises",
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("town", sa.String(length=100), server_default="", nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("uscc"),
    )
    op.create_table(
        "risk_signals",
        sa.Column("signal", sa.String(length=30), nullable=False),
        sa.Column("ref", sa.String(length=100), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("signal", "ref"),
    )
    op.create_index(op.f("ix_risk_signals_uscc"), "risk_signals", ["uscc"], unique=False)
    op.create_table(
        "depot_stock",
        sa.Column("depot_id", sa.String(length=36), nullable=False),
        sa.Column("item_code", sa.String(length=60), nullable=False),
        sa.Column("quantity_milli", sa.BigInteger(), nullable=False),
        sa.Column("reserved_milli", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("delivered_milli", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("minimum_milli", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("delivered_milli >= 0", name="delivered_never_negative"),
        sa.CheckConstraint("minimum_milli >= 0", name="minimum_never_negative"),
        sa.CheckConstraint("quantity_milli >= 0", name="stock_never_negative"),
        sa.CheckConstraint("reserved_milli >= 0", name="reserved_never_negative"),
        sa.ForeignKeyConstraint(
            ["depot_id"],
            ["depots.depot_id"],
        ),
        sa.PrimaryKeyConstraint("depot_id", "item_code"),
    )
    op.create_table(
        "dispatch_orders",
        sa.Column("dispatch_id", sa.String(length=36), nullable=False),
        sa.Column("emergency_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("unmet", sa.JSON(), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("actor_department", sa.String(length=100), server_default="", nullable=False),
        sa.Column("actor_user", sa.String(length=100), server_default="", nullable=False),
        sa.Column("actor_reason", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["emergency_id"],
            ["emergencies.emergency_id"],
        ),
        sa.PrimaryKeyConstraint("dispatch_id"),
    )
    op.create_index(
        op.f("ix_dispatch_orders_emergency_id"), "dispatch_orders", ["emergency_id"], unique=False
    )
    op.create_table(
        "dispatch_lines",
        sa.Column("dispatch_id", sa.String(length=36), nullable=False),
        sa.Column("depot_id", sa.String(length=36), nullable=False),
        sa.Column("item_code", sa.String(length=60), nullable=False),
        sa.Column("depot_name", sa.String(length=200), nullable=False),
        sa.Column("quantity_milli", sa.BigInteger(), nullable=False),
        sa.Column("returned_milli", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("eta_minutes", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "returned_milli >= 0 AND returned_milli <= quantity_milli", name="returned_within_taken"
        ),
        sa.ForeignKeyConstraint(
            ["dispatch_id"],
            ["dispatch_orders.dispatch_id"],
        ),
        sa.PrimaryKeyConstraint("dispatch_id", "depot_id", "item_code"),
    )
    op.create_index(op.f("ix_dispatch_lines_depot_id"), "dispatch_lines", ["depot_id"], unique=False)

    # Old migration 102: the counter behind gap-free notification positions starts at zero.
    op.execute("INSERT INTO emergency_notification_counter (id, last_position) VALUES (1, 0)")
