"""Every component's migration history, and databases as the numbered-migration mechanism left them
(for the adoption tests on SQLite and PostgreSQL)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from gateway.migrations import HISTORY as GATEWAY
from services.codes.migrations import HISTORY as CODES
from services.enforcement.migrations import HISTORY as ENFORCEMENT
from services.evaluation.migrations import HISTORY as EVALUATION
from services.monitoring.migrations import HISTORY as MONITORING
from services.permits.migrations import HISTORY as PERMITS
from services.risk.migrations import HISTORY as RISK
from shared.migrations import History, legacy_versions

HISTORIES = [PERMITS, MONITORING, CODES, ENFORCEMENT, RISK, EVALUATION, GATEWAY]
NAMES = [h.branch for h in HISTORIES]


def as_made_by_numbered_migrations(engine: sa.Engine, history: History) -> set[int]:
    """A database as the mechanism before Alembic left it: the baseline schema (which equals what the
    numbered migrations made) and `schema_migrations` listing their numbers, no Alembic version table.

    Returns the numbers recorded.
    """
    script = history.script()
    versions: set[int] = set()
    with engine.begin() as conn:
        cfg = history.config(conn)
        for base in script.get_bases():
            command.upgrade(cfg, base)
            versions |= legacy_versions(script.get_revision(base))
        conn.execute(sa.text("DROP TABLE alembic_version"))
        conn.execute(
            sa.text(
                "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL,"
                " applied_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP)"
            )
        )
        for version in sorted(versions):
            conn.execute(
                sa.text("INSERT INTO schema_migrations (version, name) VALUES (:v, 'old')"), {"v": version}
            )
    return versions


ENTERPRISE_WITH_OLD_FLAGS = sa.text(
    "INSERT INTO enterprises (uscc, name, legal_representative, industry_code, address,"
    " town, lat, lon, permit_class, risk_flags, registered_at, updated_at) VALUES"
    " ('91330100716105852F', 'n', 'r', '2614', 'a', '坎墩街道', 30.1, 121.2, 'key',"
    " 'heavy_metals', '2026-03-02 02:00:00+00', '2026-03-02 02:00:00+00')"
)
