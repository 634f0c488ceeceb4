"""Schema migrations with Alembic, driven from code: one history per component's database.

Every component (each service and the gateway) keeps its revisions in its own package
(`services/<name>/migrations/versions/`, `gateway/migrations/versions/`); the tables every component
has (outbox, processed events, audit log, dead letters) have their own branch here in
`shared/migrations/versions/`. A database holds both branches, recorded in one version table
(`alembic_version`, one row per branch head). No alembic.ini: `upgrade` builds Alembic's
configuration in code and runs `env.py` on its own connection, inside one transaction that also
holds the migration lock, so a failing revision leaves nothing half done.

Databases made by the mechanism before Alembic (`schema_migrations` with numbered versions) are
adopted: a revision that replaced numbered migrations names them in `legacy_versions`, the database
is stamped at the revision matching exactly the versions it applied, then upgraded. A history that
matches no revision is refused with the versions in question. Downgrades are not supported: a
mistake is fixed by a new revision (roll forward).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Connection, Engine

from shared import schema
from shared.db import is_postgres

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
VERSION_TABLE = "alembic_version"
LEGACY_TABLE = "schema_migrations"
OWNER_TABLE = "schema_owner"
# Tables the machinery keeps for itself; never part of a component's schema.
BOOKKEEPING = frozenset({VERSION_TABLE, LEGACY_TABLE, OWNER_TABLE})
SHARED_BRANCH = "shared"


@dataclass(frozen=True)
class History:
    """One component's migrations: its revisions folder and the tables they must produce.

    `component` names the database's owner (None: the shared tables only, claimed by nobody, for
    tests of shared parts); `metadata` is what `upgrade` to the newest revision must equal.
    """

    component: str | None
    versions: Path | None
    metadata: Sequence[sa.MetaData] = field(default=())

    @property
    def branch(self) -> str:
        """The branch label of the component's revisions (its name)."""
        return self.component or SHARED_BRANCH

    def version_locations(self) -> list[Path]:
        """The folders Alembic reads: the shared tables' branch, then the component's own."""
        return [HERE / "versions", *([self.versions] if self.versions else [])]

    def config(self, connection: Connection | None = None) -> Config:
        """Alembic's configuration for this history, built in code (there is no alembic.ini)."""
        cfg = Config()
        cfg.set_main_option("script_location", str(HERE))
        cfg.set_main_option("path_separator", "os")
        cfg.set_main_option("version_locations", os.pathsep.join(str(p) for p in self.version_locations()))
        cfg.attributes["connection"] = connection
        cfg.attributes["target_metadata"] = self.target_metadata()
        return cfg

    def target_metadata(self) -> sa.MetaData:
        """The shared tables and the component's tables in one MetaData (what autogenerate compares)."""
        combined = sa.MetaData()
        for metadata in (schema.metadata, *self.metadata):
            for table in metadata.tables.values():
                if table.name not in combined.tables:
                    table.to_metadata(combined)
        return combined

    def script(self) -> ScriptDirectory:
        """The revisions of this history (shared branch and the component's)."""
        return ScriptDirectory.from_config(self.config())


SHARED = History(component=None, versions=None, metadata=(schema.metadata,))


class WrongDatabase(SystemExit):
    """The database belongs to another component: migrating it would mix two schemas."""


class UnknownHistory(SystemExit):
    """The database's recorded migrations match no revision of this component's history."""


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Autogenerate and comparisons ignore the machinery's own tables."""
    return not (type_ == "table" and name in BOOKKEEPING)


def upgrade(engine: Engine, history: History) -> list[str]:
    """Bring the database to the newest revision of every branch; returns the revisions applied now.

    With a component, the database is claimed for it on first use and refused to any other, so two
    components pointed at one database fail loudly instead of mixing their schemas.
    """
    with engine.begin() as conn:
        if is_postgres(conn):
            # Several replicas may start at once; one migrates, the others wait for it.
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(727001)"))
        if history.component:
            claim_database(conn, history.component)
        cfg = history.config(conn)
        script = ScriptDirectory.from_config(cfg)
        if not current_heads(conn):
            targets = _legacy_stamp(conn, script)
            if targets:
                command.stamp(cfg, targets)
                log.info("adopted a pre-Alembic database at %s", ", ".join(targets))
        applied: list[str] = []

        def record(*, step: Any, **_: Any) -> None:
            if step.is_upgrade and not step.is_stamp:
                applied.append(step.up_revision_id)

        cfg.attributes["on_version_apply"] = [record]
        before = current_heads(conn)
        try:
            command.upgrade(cfg, "heads")
        except CommandError as exc:
            raise UnknownHistory(
                f"{history.branch}: the database records revisions {sorted(before)} that this code does"
                f" not know ({exc}); is it newer code's database, or another component's?"
            ) from exc
    for revision in applied:
        log.info("applied migration %s", revision)
    return applied


def current_heads(conn: Connection) -> tuple[str, ...]:
    """The revisions recorded in the database's version table (empty before the first upgrade)."""
    context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
    return tuple(context.get_current_heads())


def schema_differences(engine: Engine, history: History) -> list[Any]:
    """What autogenerate finds between the database and the component's tables (empty: equal)."""
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": include_object, "compare_type": True}
        )
        return list(compare_metadata(context, history.target_metadata()))


def claim_database(conn: Connection, component: str) -> None:
    """Record the database's owner on first use; refuse it to any other component."""
    owner = sa.Table(OWNER_TABLE, sa.MetaData(), sa.Column("component", sa.String(100), primary_key=True))
    owner.create(conn, checkfirst=True)
    owners = list(conn.execute(sa.select(owner.c.component)).scalars())
    if not owners:
        conn.execute(owner.insert().values(component=component))
    elif owners != [component]:
        raise WrongDatabase(
            f"this database belongs to {', '.join(owners)}, not {component}: give each component its own"
            f" database (ECO_{component.upper()}_DATABASE_URL; an exported DATABASE_URL applies to all)"
        )


def legacy_versions(script: Script) -> frozenset[int]:
    """The pre-Alembic migration numbers a revision replaced (its module's `legacy_versions`)."""
    return frozenset(getattr(script.module, "legacy_versions", ()))


def _legacy_stamp(conn: Connection, script: ScriptDirectory) -> list[str]:
    """The revisions to stamp a pre-Alembic database at (none for an empty database).

    Raises UnknownHistory when the database has tables but no history, or numbered versions that
    match no revision of every branch exactly.
    """
    tables = set(sa.inspect(conn).get_table_names()) - {OWNER_TABLE}
    if LEGACY_TABLE not in tables:
        if tables:
            raise UnknownHistory(
                f"the database has tables ({', '.join(sorted(tables)[:6])}, ...) but no migration history"
                f" ({VERSION_TABLE} or {LEGACY_TABLE}): it was not made by these migrations; give the"
                " component an empty database"
            )
        return []
    applied = set(conn.execute(sa.text(f"SELECT version FROM {LEGACY_TABLE}")).scalars())
    known = {v for revision in script.walk_revisions() for v in legacy_versions(revision)}
    unknown = applied - known
    if unknown:
        raise UnknownHistory(
            f"the database's pre-Alembic history has versions {sorted(unknown)} that no revision replaces"
            f" (applied: {sorted(applied)}, known: {sorted(known)}); was it made by another branch's code?"
        )
    targets: list[str] = []
    for head in script.get_heads():
        target, covered = None, set[int]()
        for revision in reversed(list(script.iterate_revisions(head, "base"))):
            versions = legacy_versions(revision)
            if not versions or not versions <= applied:
                break
            target, covered = revision.revision, covered | versions
        if target is None:
            missing = sorted(_first_legacy(script, head) - applied)
            raise UnknownHistory(
                f"the database's pre-Alembic history is partial: versions {missing} of {head}'s branch"
                f" were never applied (applied: {sorted(applied)}); it cannot be adopted"
            )
        if target not in targets:
            targets.append(target)
    covered_all = {
        v for t in targets for r in script.iterate_revisions(t, "base") for v in legacy_versions(r)
    }
    if covered_all != applied:
        raise UnknownHistory(
            f"the database's pre-Alembic history {sorted(applied)} is partial: versions"
            f" {sorted(applied - covered_all)} were applied without the ones before them"
        )
    return targets


def _first_legacy(script: ScriptDirectory, head: str) -> frozenset[int]:
    chain = list(script.iterate_revisions(head, "base"))
    return legacy_versions(chain[-1]) if chain else frozenset()
