"""Every component's Alembic history on SQLite: upgrade to head equals its tables.py, databases of the
numbered-migration mechanism are adopted (or refused by name), a database serves one component.

Downgrades are not supported (a mistake is fixed by a new revision), so nothing here runs one.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from shared.db import make_engine
from shared.migrations import (
    SHARED,
    History,
    UnknownHistory,
    WrongDatabase,
    current_heads,
    schema_differences,
    upgrade,
)
from shared.migrations import __main__ as cli
from tests.support.migrations import (
    ENTERPRISE_WITH_OLD_FLAGS,
    HISTORIES,
    MONITORING,
    NAMES,
    PERMITS,
    as_made_by_numbered_migrations,
)


def _engine(tmp_path: Path, name: str = "db") -> sa.Engine:
    return make_engine(f"sqlite:///{tmp_path / name}.sqlite")


@pytest.mark.parametrize("history", HISTORIES, ids=NAMES)
def test_upgrade_to_head_builds_exactly_the_tables_of_the_component(tmp_path: Path, history: History) -> None:
    engine = _engine(tmp_path)
    applied = upgrade(engine, history)
    assert {r.split("_")[0] for r in applied} == {"shared", history.branch}
    assert schema_differences(engine, history) == []
    assert upgrade(engine, history) == []  # a second start applies nothing


@pytest.mark.parametrize("history", HISTORIES, ids=NAMES)
def test_each_history_has_one_head_per_branch_and_names_revisions_after_the_component(
    history: History,
) -> None:
    """Two branches merged with revisions on one parent give two heads: this is where it shows."""
    script = history.script()
    heads = sorted(script.get_heads())
    assert [h.split("_")[0] for h in heads] == sorted(["shared", history.branch]), heads
    assert history.versions is not None
    for path in history.versions.glob("*.py"):
        revision_id = "_".join(path.stem.split("_")[:2])  # files are named <revision>_<slug>.py
        assert re.fullmatch(rf"{history.branch}_\d{{4}}", revision_id), path.name
        revision = script.get_revision(revision_id)
        assert revision is not None and Path(revision.path).resolve() == path.resolve()


@pytest.mark.parametrize("history", HISTORIES, ids=NAMES)
def test_a_database_of_the_numbered_migrations_is_stamped_at_the_baseline_then_upgraded(
    tmp_path: Path, history: History
) -> None:
    engine = _engine(tmp_path)
    versions = as_made_by_numbered_migrations(engine, history)
    assert {1, 2} < versions
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO audit_log (at, department, method, status, duration_ms, trace_id, peer)"
                " VALUES ('2026-03-02 02:00:00', 'd', 'm', 'OK', 1.0, 't', 'p')"
            )
        )
    applied = upgrade(engine, history)
    bases = set(history.script().get_bases())
    assert not bases & set(applied)  # stamped, not re-created
    assert set(applied) == {r.revision for r in history.script().walk_revisions()} - bases
    assert schema_differences(engine, history) == []
    with engine.connect() as conn:
        assert len(current_heads(conn)) == 2
        assert conn.execute(sa.text("SELECT count(*) FROM audit_log")).scalar_one() == 1  # data kept


def test_permits_adoption_drops_the_dead_risk_flags_column_and_keeps_the_rows(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    as_made_by_numbered_migrations(engine, PERMITS)
    with engine.begin() as conn:
        conn.execute(ENTERPRISE_WITH_OLD_FLAGS)
    assert upgrade(engine, PERMITS) == ["permits_0102"]
    with engine.connect() as conn:
        assert "risk_flags" not in {c["name"] for c in sa.inspect(conn).get_columns("enterprises")}
        assert conn.execute(sa.text("SELECT name FROM enterprises")).scalar_one() == "n"


def _numbered(engine: sa.Engine, versions: list[int], *tables: str) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT)"))
        for version in versions:
            conn.execute(sa.text("INSERT INTO schema_migrations VALUES (:v, 'old')"), {"v": version})
        for table in tables:
            conn.execute(sa.text(f"CREATE TABLE {table} (a TEXT)"))


def test_a_numbered_history_with_an_unknown_version_is_refused_naming_it(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    _numbered(engine, [1, 2, 100, 101, 103], "enterprises")
    with pytest.raises(UnknownHistory, match=r"versions \[103\] that no revision replaces"):
        upgrade(engine, PERMITS)
    with engine.connect() as conn:  # nothing done: no version table, no new table
        assert "alembic_version" not in sa.inspect(conn).get_table_names()


def test_a_partial_numbered_history_is_refused_naming_what_is_missing(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    _numbered(engine, [1, 2, 100], "enterprises")
    with pytest.raises(UnknownHistory, match=r"partial: versions \[101\] of permits_0102"):
        upgrade(engine, PERMITS)
    only_shared = _engine(tmp_path, "shared")
    _numbered(only_shared, [1, 2], "outbox")
    with pytest.raises(UnknownHistory, match=r"partial: versions \[100, 101\]"):
        upgrade(only_shared, PERMITS)


def test_tables_without_any_history_are_refused(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE enterprises (a TEXT)"))
    with pytest.raises(UnknownHistory, match=r"has tables \(enterprises, \.\.\.\) but no migration history"):
        upgrade(engine, PERMITS)


def test_a_database_serves_one_component(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    upgrade(engine, PERMITS)
    assert upgrade(engine, PERMITS) == []
    with pytest.raises(WrongDatabase, match="belongs to permits, not monitoring"):
        upgrade(engine, MONITORING)
    with engine.connect() as conn:
        assert "stations" not in sa.inspect(conn).get_table_names()


def test_revisions_the_code_does_not_know_are_refused(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    upgrade(engine, PERMITS)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE alembic_version SET version_num = 'permits_0999' WHERE version_num LIKE 'permits%'"
            )
        )
    with pytest.raises(UnknownHistory, match="permits_0999"):
        upgrade(engine, PERMITS)


def _history_with(tmp_path: Path, body: str) -> History:
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "demo_0001_baseline.py").write_text(
        'revision = "demo_0001"\ndown_revision = None\nbranch_labels = ("demo",)\n'
        "from alembic import op\nimport sqlalchemy as sa\n\n"
        'def upgrade():\n    op.create_table("t", sa.Column("a", sa.Text))\n'
    )
    (versions / "demo_0002_more.py").write_text(
        'revision = "demo_0002"\ndown_revision = "demo_0001"\nbranch_labels = None\n'
        f"from alembic import op\nimport sqlalchemy as sa\n\ndef upgrade():\n{body}"
    )
    return History("demo", versions)


def test_revisions_apply_once_in_order(tmp_path: Path) -> None:
    history = _history_with(tmp_path, '    op.add_column("t", sa.Column("b", sa.Text))\n')
    engine = _engine(tmp_path)
    applied = upgrade(engine, history)
    assert sorted(applied) == ["demo_0001", "demo_0002", "shared_0002"]
    assert applied.index("demo_0001") < applied.index("demo_0002")
    assert upgrade(engine, history) == []
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO t (a, b) VALUES ('x', 'y')"))


def test_a_failing_revision_leaves_nothing_half_done(tmp_path: Path) -> None:
    history = _history_with(tmp_path, '    op.execute("nonsense")\n')
    engine = _engine(tmp_path)
    with pytest.raises(sa.exc.DBAPIError):
        upgrade(engine, history)
    with engine.connect() as conn:
        assert sa.inspect(conn).get_table_names() == []


def test_the_shared_tables_alone_claim_no_database(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    assert upgrade(engine, SHARED) == ["shared_0002"]
    upgrade(engine, PERMITS)  # still free to be claimed
    assert schema_differences(engine, PERMITS) == []


def test_make_migration_autogenerates_a_revision_that_builds_the_changed_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make migration` on a copy of permits' history with one table added to its tables.py."""
    versions = tmp_path / "versions"
    shutil.copytree(PERMITS.versions or "", versions)
    metadata = sa.MetaData()
    for table in PERMITS.metadata[0].tables.values():
        table.to_metadata(metadata)
    sa.Table("extra", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("note", sa.Text))
    changed = History("permits", versions, (metadata,))
    monkeypatch.setattr(cli, "history_of", lambda component: changed)

    path = cli.new_revision("permits", "add extra")

    assert path.parent == versions and path.name == f"permits_{cli.next_number(PERMITS):04d}_add_extra.py"
    text = path.read_text()
    assert "op.create_table(" in text and "'extra'" in text and "down_revision = 'permits_0102'" in text
    engine = _engine(tmp_path)
    assert path.name[: len("permits_0000")] in upgrade(engine, changed)
    assert schema_differences(engine, changed) == []
