"""Enforcement's schema migrations: Alembic revisions in versions/, one history in enforcement's own database.

A new revision: `make migration SERVICE=enforcement MSG="what changes"` (see CONTRIBUTING.md).
"""

from __future__ import annotations

from pathlib import Path

from services.enforcement.adapters import tables
from shared.migrations import History

HISTORY = History("enforcement", Path(__file__).resolve().parent / "versions", (tables.metadata,))
