"""Enforcement baseline: cases, problems, evidence, grids, commissioners, outlets, first editions.

Baseline: today's schema, equal to what the numbered migrations 100, 101 made before
Alembic; a database they made is stamped here (see `legacy_versions`). Frozen: never edit it; a
change is a new revision. Downgrades are not supported.
"""

import json
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "enforcement_0101"
down_revision = None
branch_labels = ("enforcement",)
depends_on = None
# The numbered migrations of the mechanism before Alembic that this revision replaces.
legacy_versions = (100, 101)


def upgrade() -> None:
    """Create the tables and their first rows."""
    op.create_table(
        "case_numbers",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id"),
    )
    op.create_table(
        "cases",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("case_number", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("uscc", sa.String(length=18), server_default="", nullable=False),
        sa.Column("station_id", sa.String(length=64), server_default="", nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("town", sa.String(length=100), server_default="", nullable=False),
        sa.Column("grid_id", sa.String(length=64), server_default="", nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=20), server_default="", nullable=False),
        sa.Column("owner_department", sa.String(length=100), server_default="", nullable=False),
        sa.Column("owner_user", sa.String(length=100), server_default="", nullable=False),
        sa.Column("owner_commissioner_id", sa.String(length=64), server_default="", nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalation_level", sa.Integer(), server_default="0", nullable=False),
        sa.Column("escalated_lapse", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deadline_version", sa.String(length=40), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("investigation", sa.JSON(), nullable=True),
        sa.Column("decision", sa.JSON(), nullable=True),
        sa.Column("rectification", sa.JSON(), nullable=True),
        sa.Column("evidence_head", sa.String(length=64), server_default="", nullable=False),
        sa.Column("evidence_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_evidence_sha256", sa.String(length=64), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("case_id"),
        sa.UniqueConstraint("case_number"),
    )
    op.create_index(op.f("ix_cases_due_at"), "cases", ["due_at"], unique=False)
    op.create_index(op.f("ix_cases_grid_id"), "cases", ["grid_id"], unique=False)
    op.create_index(op.f("ix_cases_opened_at"), "cases", ["opened_at"], unique=False)
    op.create_index(op.f("ix_cases_source"), "cases", ["source"], unique=False)
    op.create_index(op.f("ix_cases_stage"), "cases", ["stage"], unique=False)
    op.create_index(op.f("ix_cases_subject"), "cases", ["subject"], unique=False)
    op.create_index(op.f("ix_cases_town"), "cases", ["town"], unique=False)
    op.create_index(op.f("ix_cases_uscc"), "cases", ["uscc"], unique=False)
    op.create_table(
        "commissioners",
        sa.Column("commissioner_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=40), server_default="", nullable=False),
        sa.Column("department", sa.String(length=100), server_default="", nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("commissioner_id"),
    )
    op.create_table(
        "editions",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "version", name="uq_editions_kind_version"),
    )
    op.create_table(
        "grids",
        sa.Column("grid_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("town", sa.String(length=100), server_default="", nullable=False),
        sa.Column("parent_grid_id", sa.String(length=64), server_default="", nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("boundary", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("grid_id"),
    )
    op.create_index(op.f("ix_grids_parent_grid_id"), "grids", ["parent_grid_id"], unique=False)
    op.create_index(op.f("ix_grids_town"), "grids", ["town"], unique=False)
    op.create_table(
        "outlets",
        sa.Column("outlet_id", sa.String(length=40), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("kind", sa.String(length=20), server_default="", nullable=False),
        sa.Column("river", sa.String(length=100), server_default="", nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("permitted", sa.JSON(), nullable=False),
        sa.Column("station_id", sa.String(length=64), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("outlet_id"),
    )
    op.create_index(op.f("ix_outlets_river"), "outlets", ["river"], unique=False)
    op.create_index(op.f("ix_outlets_uscc"), "outlets", ["uscc"], unique=False)
    op.create_table(
        "problem_refs",
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("source_ref", sa.String(length=200), nullable=False),
        sa.Column("problem_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("source", "source_ref"),
    )
    op.create_table(
        "case_history",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("from_stage", sa.String(length=20), server_default="", nullable=False),
        sa.Column("to_stage", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_department", sa.String(length=100), server_default="", nullable=False),
        sa.Column("actor_user", sa.String(length=100), server_default="", nullable=False),
        sa.Column("actor_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.case_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_case_history_case_id"), "case_history", ["case_id"], unique=False)
    op.create_table(
        "escalations",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("lapse", sa.String(length=80), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.case_id"],
        ),
        sa.PrimaryKeyConstraint("case_id", "lapse"),
    )
    op.create_table(
        "evidence",
        sa.Column("evidence_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("media_type", sa.String(length=100), server_default="", nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("content_uri", sa.String(length=1000), server_default="", nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("stored_here", sa.Boolean(), nullable=False),
        sa.Column("previous_sha256", sa.String(length=64), nullable=False),
        sa.Column("item_sha256", sa.String(length=64), nullable=False),
        sa.Column("source_ref", sa.String(length=200), server_default="", nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("collected_by_department", sa.String(length=100), server_default="", nullable=False),
        sa.Column("collected_by_user", sa.String(length=100), server_default="", nullable=False),
        sa.Column("collected_by_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.case_id"],
        ),
        sa.PrimaryKeyConstraint("evidence_id"),
        sa.UniqueConstraint("case_id", "sequence", name="uq_evidence_case_sequence"),
    )
    op.create_table(
        "grid_commissioners",
        sa.Column("grid_id", sa.String(length=64), nullable=False),
        sa.Column("commissioner_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["commissioner_id"],
            ["commissioners.commissioner_id"],
        ),
        sa.ForeignKeyConstraint(
            ["grid_id"],
            ["grids.grid_id"],
        ),
        sa.PrimaryKeyConstraint("grid_id", "commissioner_id"),
    )
    op.create_table(
        "problems",
        sa.Column("problem_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("source_ref", sa.String(length=200), server_default="", nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("uscc", sa.String(length=18), server_default="", nullable=False),
        sa.Column("station_id", sa.String(length=64), server_default="", nullable=False),
        sa.Column("parameter", sa.String(length=40), server_default="", nullable=False),
        sa.Column("river", sa.String(length=100), server_default="", nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("town", sa.String(length=100), server_default="", nullable=False),
        sa.Column("grid_id", sa.String(length=64), server_default="", nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by_department", sa.String(length=100), server_default="", nullable=False),
        sa.Column("opened_by_user", sa.String(length=100), server_default="", nullable=False),
        sa.Column("opened_by_reason", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.case_id"],
        ),
        sa.PrimaryKeyConstraint("problem_id"),
    )
    op.create_index(op.f("ix_problems_case_id"), "problems", ["case_id"], unique=False)
    op.create_index(op.f("ix_problems_grid_id"), "problems", ["grid_id"], unique=False)
    op.create_index(op.f("ix_problems_opened_at"), "problems", ["opened_at"], unique=False)
    op.create_index(op.f("ix_problems_source"), "problems", ["source"], unique=False)
    op.create_index(op.f("ix_problems_station_id"), "problems", ["station_id"], unique=False)
    op.create_index(op.f("ix_problems_subject"), "problems", ["subject"], unique=False)
    op.create_index(op.f("ix_problems_town"), "problems", ["town"], unique=False)
    op.create_index(op.f("ix_problems_uscc"), "problems", ["uscc"], unique=False)
    op.create_table(
        "problem_history",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("problem_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_department", sa.String(length=100), server_default="", nullable=False),
        sa.Column("actor_user", sa.String(length=100), server_default="", nullable=False),
        sa.Column("actor_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("what", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("source_ref", sa.String(length=200), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problems.problem_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_problem_history_problem_id"), "problem_history", ["problem_id"], unique=False)

    # Old migration 101: the first editions of the provision catalogue, the minor-violation list and
    # the stage deadlines, loaded from the data files (a later edition is a new file and revision).
    data = Path(__file__).resolve().parents[2] / "data"
    editions = sa.table(
        "editions",
        sa.column("kind", sa.String),
        sa.column("version", sa.String),
        sa.column("document", sa.JSON),
    )
    rows = []
    for kind, name in (
        ("provisions", "legal_provisions.json"),
        ("minor_violations", "minor_violations.json"),
        ("deadlines", "stage_deadlines.json"),
    ):
        doc = json.loads((data / name).read_text(encoding="utf-8"))
        rows.append({"kind": kind, "version": doc["version"], "document": doc})
    op.bulk_insert(editions, rows)
