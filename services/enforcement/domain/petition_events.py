"""What the petition half of enforcement announces; entrypoints/petition_messages.py builds each
payload, always without the petitioner's contact."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.enforcement.domain.petition_records import Record
from services.enforcement.domain.petitions import Status


@dataclass(frozen=True)
class PetitionReceived:
    record: Record


@dataclass(frozen=True)
class PetitionStatusChanged:
    record: Record
    previous: Status


@dataclass(frozen=True)
class PetitionEscalated:
    record: Record
    due_at: datetime


@dataclass(frozen=True)
class PetitionClosed:
    record: Record
    on_time: bool
