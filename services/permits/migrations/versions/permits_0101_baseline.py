"""Permits baseline: registry, outlets, permits, renewals, EIA, radiation permits, rights ledger.

Baseline: today's schema, equal to what the numbered migrations 100, 101 made before
Alembic; a database they made is stamped here (see `legacy_versions`). Frozen: never edit it; a
change is a new revision. Downgrades are not supported.
"""

import sqlalchemy as sa
from alembic import op

revision = "permits_0101"
down_revision = None
branch_labels = ("permits",)
depends_on = None
# The numbered migrations of the mechanism before Alembic that this revision replaces.
legacy_versions = (100, 101)


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "enterprises",
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("legal_representative", sa.String(length=100), nullable=False),
        sa.Column("contact_person", sa.String(length=100), server_default="", nullable=False),
        sa.Column("contact_phone", sa.String(length=40), server_default="", nullable=False),
        sa.Column("contact_email", sa.String(length=200), server_default="", nullable=False),
        sa.Column("industry_code", sa.String(length=5), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("town", sa.String(length=100), nullable=False),
        sa.Column("grid", sa.String(length=100), server_default="", nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("permit_class", sa.String(length=20), nullable=False),
        sa.Column("risk_flags", sa.String(length=200), server_default="", nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("uscc"),
    )
    op.create_index(op.f("ix_enterprises_industry_code"), "enterprises", ["industry_code"], unique=False)
    op.create_index(op.f("ix_enterprises_permit_class"), "enterprises", ["permit_class"], unique=False)
    op.create_index(op.f("ix_enterprises_town"), "enterprises", ["town"], unique=False)
    op.create_table(
        "rights_caps",
        sa.Column("pollutant", sa.String(length=10), nullable=False),
        sa.Column("cap_g", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("cap_g >= 0", name="ck_rights_caps_non_negative"),
        sa.PrimaryKeyConstraint("pollutant"),
    )
    op.create_table(
        "rights_entries",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("pollutant", sa.String(length=10), nullable=False),
        sa.Column("from_holder", sa.String(length=18), server_default="", nullable=False),
        sa.Column("to_holder", sa.String(length=18), server_default="", nullable=False),
        sa.Column("grams", sa.BigInteger(), nullable=False),
        sa.Column("action_department", sa.String(length=100), server_default="", nullable=False),
        sa.Column("action_user", sa.String(length=100), server_default="", nullable=False),
        sa.Column("action_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_rights_entries_pollutant"), "rights_entries", ["pollutant"], unique=False)
    op.create_table(
        "eia_applications",
        sa.Column("eia_id", sa.String(length=40), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("project_name", sa.String(length=300), nullable=False),
        sa.Column("document_type", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("green_channel", sa.Boolean(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_note", sa.Text(), server_default="", nullable=False),
        sa.Column("action_department", sa.String(length=100), server_default="", nullable=False),
        sa.Column("action_user", sa.String(length=100), server_default="", nullable=False),
        sa.Column("action_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["uscc"],
            ["enterprises.uscc"],
        ),
        sa.PrimaryKeyConstraint("eia_id"),
    )
    op.create_index(op.f("ix_eia_applications_deadline"), "eia_applications", ["deadline"], unique=False)
    op.create_index(op.f("ix_eia_applications_status"), "eia_applications", ["status"], unique=False)
    op.create_index(op.f("ix_eia_applications_uscc"), "eia_applications", ["uscc"], unique=False)
    op.create_table(
        "outlets",
        sa.Column("outlet_id", sa.String(length=40), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("receiving_river", sa.String(length=200), server_default="", nullable=False),
        sa.Column("monitored_pollutants", sa.JSON(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["uscc"],
            ["enterprises.uscc"],
        ),
        sa.PrimaryKeyConstraint("outlet_id"),
    )
    op.create_index(op.f("ix_outlets_uscc"), "outlets", ["uscc"], unique=False)
    op.create_table(
        "permits",
        sa.Column("permit_number", sa.String(length=40), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("permit_class", sa.String(length=20), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("renewals", sa.Integer(), server_default="0", nullable=False),
        sa.Column("action_department", sa.String(length=100), server_default="", nullable=False),
        sa.Column("action_user", sa.String(length=100), server_default="", nullable=False),
        sa.Column("action_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["uscc"],
            ["enterprises.uscc"],
        ),
        sa.PrimaryKeyConstraint("permit_number"),
    )
    op.create_index(op.f("ix_permits_status"), "permits", ["status"], unique=False)
    op.create_index(op.f("ix_permits_uscc"), "permits", ["uscc"], unique=False)
    op.create_index(op.f("ix_permits_valid_until"), "permits", ["valid_until"], unique=False)
    op.create_table(
        "radiation_permits",
        sa.Column("permit_number", sa.String(length=60), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("scope", sa.String(length=500), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("renewals", sa.Integer(), server_default="0", nullable=False),
        sa.Column("action_department", sa.String(length=100), server_default="", nullable=False),
        sa.Column("action_user", sa.String(length=100), server_default="", nullable=False),
        sa.Column("action_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["uscc"],
            ["enterprises.uscc"],
        ),
        sa.PrimaryKeyConstraint("permit_number"),
    )
    op.create_index(op.f("ix_radiation_permits_status"), "radiation_permits", ["status"], unique=False)
    op.create_index(op.f("ix_radiation_permits_uscc"), "radiation_permits", ["uscc"], unique=False)
    op.create_index(
        op.f("ix_radiation_permits_valid_until"), "radiation_permits", ["valid_until"], unique=False
    )
    op.create_table(
        "rights_accounts",
        sa.Column("pollutant", sa.String(length=10), nullable=False),
        sa.Column("holder", sa.String(length=18), nullable=False),
        sa.Column("balance_g", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("balance_g >= 0", name="ck_rights_accounts_non_negative"),
        sa.ForeignKeyConstraint(
            ["pollutant"],
            ["rights_caps.pollutant"],
        ),
        sa.PrimaryKeyConstraint("pollutant", "holder"),
    )
    op.create_table(
        "risk_flag_periods",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("flag", sa.String(length=40), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["uscc"],
            ["enterprises.uscc"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_risk_flag_periods_uscc"), "risk_flag_periods", ["uscc"], unique=False)
    op.create_table(
        "permit_limits",
        sa.Column("permit_number", sa.String(length=40), nullable=False),
        sa.Column("outlet_id", sa.String(length=40), nullable=False),
        sa.Column("parameter", sa.String(length=20), nullable=False),
        sa.Column("concentration", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("annual_tonnes", sa.Float(), nullable=False),
        sa.Column("concentration_floor", sa.Float(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["outlet_id"],
            ["outlets.outlet_id"],
        ),
        sa.ForeignKeyConstraint(
            ["permit_number"],
            ["permits.permit_number"],
        ),
        sa.PrimaryKeyConstraint("permit_number", "outlet_id", "parameter"),
    )
    op.create_table(
        "permit_renewals",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("permit_number", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("expires_after", sa.Date(), nullable=False),
        sa.Column("review_due", sa.Date(), nullable=False),
        sa.Column("late_by_days", sa.Integer(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("gap_days", sa.Integer(), server_default="0", nullable=False),
        sa.Column("action_department", sa.String(length=100), server_default="", nullable=False),
        sa.Column("action_user", sa.String(length=100), server_default="", nullable=False),
        sa.Column("action_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["permit_number"],
            ["permits.permit_number"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_permit_renewals_permit_number"), "permit_renewals", ["permit_number"], unique=False
    )
    op.create_index(
        "uq_permit_renewals_one_pending",
        "permit_renewals",
        ["permit_number"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "radiation_permit_terms",
        sa.Column("permit_number", sa.String(length=60), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["permit_number"],
            ["radiation_permits.permit_number"],
        ),
        sa.PrimaryKeyConstraint("permit_number", "valid_from"),
    )
