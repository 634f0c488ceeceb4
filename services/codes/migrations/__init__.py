"""Codes's schema migrations: Alembic revisions in versions/, one history in codes's own database.

A new revision: `make migration SERVICE=codes MSG="what changes"` (see CONTRIBUTING.md).
"""

from __future__ import annotations

from pathlib import Path

from services.codes.adapters import tables
from shared.migrations import History

HISTORY = History("codes", Path(__file__).resolve().parent / "versions", (tables.metadata,))
