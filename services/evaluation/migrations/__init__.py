"""Evaluation's schema migrations: Alembic revisions in versions/, one history in evaluation's own database.

A new revision: `make migration SERVICE=evaluation MSG="what changes"` (see CONTRIBUTING.md).
"""

from __future__ import annotations

from pathlib import Path

from services.evaluation.adapters import tables
from shared.migrations import History

HISTORY = History("evaluation", Path(__file__).resolve().parent / "versions", (tables.metadata,))
