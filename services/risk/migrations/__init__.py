"""Risk's schema migrations: Alembic revisions in versions/, one history in risk's own database.

A new revision: `make migration SERVICE=risk MSG="what changes"` (see CONTRIBUTING.md).
"""

from __future__ import annotations

from pathlib import Path

from services.risk.adapters import tables
from shared.migrations import History

HISTORY = History("risk", Path(__file__).resolve().parent / "versions", (tables.metadata,))
