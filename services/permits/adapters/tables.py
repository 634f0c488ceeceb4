"""Permits' tables (SQLAlchemy Core); their migrations are the revisions in ../migrations/."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()
_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def _actor_columns() -> list[sa.Column]:
    # Who made the last state change and why (the gRPC caller's department, the user, the reason).
    return [
        sa.Column("action_department", sa.String(100), nullable=False, server_default=""),
        sa.Column("action_user", sa.String(100), nullable=False, server_default=""),
        sa.Column("action_reason", sa.Text, nullable=False, server_default=""),
    ]


enterprises = sa.Table(
    "enterprises",
    metadata,
    sa.Column("uscc", sa.String(18), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("legal_representative", sa.String(100), nullable=False),
    sa.Column("contact_person", sa.String(100), nullable=False, server_default=""),
    sa.Column("contact_phone", sa.String(40), nullable=False, server_default=""),
    sa.Column("contact_email", sa.String(200), nullable=False, server_default=""),
    sa.Column("industry_code", sa.String(5), nullable=False, index=True),
    sa.Column("address", sa.String(500), nullable=False),
    sa.Column("town", sa.String(100), nullable=False, index=True),
    sa.Column("grid", sa.String(100), nullable=False, server_default=""),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("permit_class", sa.String(20), nullable=False, index=True),
    sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

# An enterprise's risk flags: its open periods are the current flags (the old comma-list column
# enterprises.risk_flags was dropped by revision permits_0102).
risk_flag_periods = sa.Table(
    "risk_flag_periods",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("uscc", sa.String(18), sa.ForeignKey("enterprises.uscc"), nullable=False, index=True),
    sa.Column("flag", sa.String(40), nullable=False),
    # Flagged from `since` (inclusive) until `until` (exclusive; NULL while still flagged).
    sa.Column("since", sa.Date, nullable=False),
    sa.Column("until", sa.Date, nullable=True),
)

outlets = sa.Table(
    "outlets",
    metadata,
    sa.Column("outlet_id", sa.String(40), primary_key=True),
    sa.Column("uscc", sa.String(18), sa.ForeignKey("enterprises.uscc"), nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("receiving_river", sa.String(200), nullable=False, server_default=""),
    sa.Column("monitored_pollutants", sa.JSON, nullable=False),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
)

permits = sa.Table(
    "permits",
    metadata,
    sa.Column("permit_number", sa.String(40), primary_key=True),
    sa.Column("uscc", sa.String(18), sa.ForeignKey("enterprises.uscc"), nullable=False, index=True),
    sa.Column("status", sa.String(20), nullable=False, index=True),
    sa.Column("permit_class", sa.String(20), nullable=False),
    sa.Column("applied_on", sa.Date, nullable=False),
    sa.Column("valid_from", sa.Date, nullable=True),
    sa.Column("valid_until", sa.Date, nullable=True, index=True),
    sa.Column("renewals", sa.Integer, nullable=False, server_default="0"),
    *_actor_columns(),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

permit_limits = sa.Table(
    "permit_limits",
    metadata,
    sa.Column("permit_number", sa.String(40), sa.ForeignKey("permits.permit_number"), primary_key=True),
    sa.Column("outlet_id", sa.String(40), sa.ForeignKey("outlets.outlet_id"), primary_key=True),
    sa.Column("parameter", sa.String(20), primary_key=True),
    sa.Column("concentration", sa.Float, nullable=False),
    sa.Column("unit", sa.String(20), nullable=False),
    sa.Column("annual_tonnes", sa.Float, nullable=False),
    sa.Column("concentration_floor", sa.Float, nullable=False, server_default="0"),
)

# Renewal applications of discharge permits (排污许可管理条例 art. 14) and their decisions.
permit_renewals = sa.Table(
    "permit_renewals",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column(
        "permit_number", sa.String(40), sa.ForeignKey("permits.permit_number"), nullable=False, index=True
    ),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("applied_on", sa.Date, nullable=False),
    # The permit's last valid day when the application was made.
    sa.Column("expires_after", sa.Date, nullable=False),
    sa.Column("review_due", sa.Date, nullable=False),
    # Derived from the two dates, stored so that the expiry scheduler's "a renewal applied for in
    # time is pending" is one indexed condition.
    sa.Column("late_by_days", sa.Integer, nullable=False),
    sa.Column("decided_on", sa.Date, nullable=True),
    sa.Column("gap_days", sa.Integer, nullable=False, server_default="0"),
    *_actor_columns(),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # At most one application under review per permit; the use cases lock the permit row first, so
    # this is the last line of defence.
    sa.Index(
        "uq_permit_renewals_one_pending",
        "permit_number",
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    ),
)

eia_applications = sa.Table(
    "eia_applications",
    metadata,
    sa.Column("eia_id", sa.String(40), primary_key=True),
    sa.Column("uscc", sa.String(18), sa.ForeignKey("enterprises.uscc"), nullable=False, index=True),
    sa.Column("project_name", sa.String(300), nullable=False),
    sa.Column("document_type", sa.String(30), nullable=False),
    sa.Column("status", sa.String(20), nullable=False, index=True),
    sa.Column("accepted_on", sa.Date, nullable=False),
    # Stored (not only computed) so that "overdue" is one indexed query.
    sa.Column("deadline", sa.Date, nullable=True, index=True),
    sa.Column("green_channel", sa.Boolean, nullable=False),
    sa.Column("decided_on", sa.Date, nullable=True),
    sa.Column("decision_note", sa.Text, nullable=False, server_default=""),
    *_actor_columns(),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

radiation_permits = sa.Table(
    "radiation_permits",
    metadata,
    sa.Column("permit_number", sa.String(60), primary_key=True),
    sa.Column("uscc", sa.String(18), sa.ForeignKey("enterprises.uscc"), nullable=False, index=True),
    sa.Column("status", sa.String(20), nullable=False, index=True),
    sa.Column("scope", sa.String(500), nullable=False),
    sa.Column("valid_from", sa.Date, nullable=False),
    sa.Column("valid_until", sa.Date, nullable=False, index=True),
    sa.Column("renewals", sa.Integer, nullable=False, server_default="0"),
    *_actor_columns(),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

# Every term a radiation permit covered, so the holding rate can be asked for any past date.
radiation_permit_terms = sa.Table(
    "radiation_permit_terms",
    metadata,
    sa.Column(
        "permit_number", sa.String(60), sa.ForeignKey("radiation_permits.permit_number"), primary_key=True
    ),
    sa.Column("valid_from", sa.Date, primary_key=True),
    sa.Column("valid_until", sa.Date, nullable=False),
)

rights_caps = sa.Table(
    "rights_caps",
    metadata,
    sa.Column("pollutant", sa.String(10), primary_key=True),
    sa.Column("cap_g", sa.BigInteger, nullable=False),
    sa.CheckConstraint("cap_g >= 0", name="ck_rights_caps_non_negative"),
)

# One balance per pollutant and holder ("RESERVE" or a USCC). The CHECK is the last line of
# defence; the service layer locks the rows (SELECT ... FOR UPDATE) before it moves anything.
rights_accounts = sa.Table(
    "rights_accounts",
    metadata,
    sa.Column("pollutant", sa.String(10), sa.ForeignKey("rights_caps.pollutant"), primary_key=True),
    sa.Column("holder", sa.String(18), primary_key=True),
    sa.Column("balance_g", sa.BigInteger, nullable=False),
    sa.CheckConstraint("balance_g >= 0", name="ck_rights_accounts_non_negative"),
)

rights_entries = sa.Table(
    "rights_entries",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("pollutant", sa.String(10), nullable=False, index=True),
    sa.Column("from_holder", sa.String(18), nullable=False, server_default=""),
    sa.Column("to_holder", sa.String(18), nullable=False, server_default=""),
    sa.Column("grams", sa.BigInteger, nullable=False),
    *_actor_columns(),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)
