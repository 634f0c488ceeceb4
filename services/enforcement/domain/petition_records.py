"""A petition as the service keeps it: the statutory record (domain/petitions.py) plus where it came
from, the petitioner's private contact, its place, owner, problem and escalation.

The contact is private: never public, never in events, and erased once the retention period after
closing has passed (data/petition_retention.json; PIPL art. 19: no longer than the purpose needs).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.enforcement.domain.petitions import Petition
from services.enforcement.domain.problem import CATEGORIES
from services.enforcement.domain.values import Actor, Assignee, GeoPoint, text
from shared.china_time import local_day
from shared.errors import InvalidArgument
from shared.uscc import validate_uscc

# How a petition came in (enforcement.proto Petition.source).
SOURCES = (
    "code_page",
    "hotline_12369",
    "hotline_12345",
    "letter",
    "visit",
    "online",
    "officer",
    "department",
)
TEXT_MAX, CONTACT_MAX = 4000, 100
# Crockford's base 32 without I, L, O, U: read aloud over the hotline without confusion.
TRACKING_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True)
class Intake:
    """A petition as submitted, its fields checked."""

    uscc: str
    source: str
    category: str
    text: str
    contact: str
    location: GeoPoint | None


def intake(
    *, uscc: str, source: str, category: str, text_in: str, contact: str, location: GeoPoint | None
) -> Intake:
    """A submission checked field by field."""
    source = text("source", source, max_len=30).lower()
    if source not in SOURCES:
        raise InvalidArgument("source", f"must be one of {', '.join(SOURCES)}")
    category = text("category", category, max_len=20).lower()
    if category not in CATEGORIES:
        raise InvalidArgument("category", f"must be one of {', '.join(CATEGORIES)}")
    uscc = validate_uscc(uscc, field="uscc") if uscc.strip() else ""
    if not uscc and location is None:
        raise InvalidArgument("location", "a location or an enterprise (uscc) is required")
    return Intake(
        uscc,
        source,
        category,
        text("text", text_in, max_len=TEXT_MAX, free_text=True),
        text("contact", contact, required=False, max_len=CONTACT_MAX),
        location,
    )


def tracking_code(at: datetime) -> str:
    """A new tracking code: the local day and 10 random symbols (50 bits: not guessable)."""
    tail = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(10))
    return f"XF{local_day(at):%Y%m%d}-{tail}"


@dataclass(frozen=True)
class Record:
    """A petition with everything the service keeps about it."""

    petition: Petition
    tracking_code: str
    source: str
    text: str
    contact: str
    town: str
    grid_id: str
    submitted_by: str
    owner: Assignee = field(default_factory=Assignee)
    problem_id: str = ""
    escalation_level: int = 0
    escalated_due_at: datetime | None = None
    extended_at: datetime | None = None
    extended_by: Actor | None = None
    declined_at: datetime | None = None
    purge_after: datetime | None = None
    contact_purged_at: datetime | None = None

    @property
    def subject(self) -> str:
        """The Kafka key of its events: the enterprise, else the petition."""
        return self.petition.uscc or self.petition.petition_id


def purge_after(closed_at: datetime, days: int) -> datetime:
    """When a closed petition's contact is erased."""
    return closed_at + timedelta(days=days)


def on_time(r: Record) -> bool:
    """Whether it was decided (and, if accepted, answered) within its deadlines."""
    p = r.petition
    if p.answered_at is not None:
        return p.handle_due_at is not None and p.answered_at <= p.handle_due_at
    if r.declined_at is not None:
        return r.declined_at <= p.accept_due_at
    return False
