"""Monitoring's schema migrations: Alembic revisions in versions/, one history in monitoring's own database.

A new revision: `make migration SERVICE=monitoring MSG="what changes"` (see CONTRIBUTING.md).
"""

from __future__ import annotations

from pathlib import Path

from services.monitoring.adapters import tables
from shared.migrations import History

HISTORY = History("monitoring", Path(__file__).resolve().parent / "versions", (tables.metadata,))
