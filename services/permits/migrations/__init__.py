"""Permits's schema migrations: Alembic revisions in versions/, one history in permits's own database.

A new revision: `make migration SERVICE=permits MSG="what changes"` (see CONTRIBUTING.md).
"""

from __future__ import annotations

from pathlib import Path

from services.permits.adapters import tables
from shared.migrations import History

HISTORY = History("permits", Path(__file__).resolve().parent / "versions", (tables.metadata,))
