"""Enforcement's tables. None yet beyond the shared outbox, processed-events and audit tables."""

from shared.db import Migration

MIGRATIONS: list[Migration] = []
