"""The gateway's schema migrations: Alembic revisions in versions/, in the gateway's own database.

A new revision: `make migration SERVICE=gateway MSG="what changes"` (see CONTRIBUTING.md).
"""

from __future__ import annotations

from pathlib import Path

from gateway import tables
from shared.migrations import History

HISTORY = History("gateway", Path(__file__).resolve().parent / "versions", (tables.metadata,))
