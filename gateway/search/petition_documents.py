"""Enforcement's petition events to search documents (信访 in the one search and the petitions layer):
pure functions in the style of gateway.search.documents, merged into its BUILDERS.

One document per petition, "petition:<petition_id>". Personal data never reaches the index: the
events carry no contact, and of what they do carry the document keeps the category, a summary of
the text with phone numbers, ID numbers and e-mail addresses masked (a petitioner may write them in
the text), the enterprise, the place, the status and the statutory deadlines (信访工作条例 2022). The
tracking code, the handler and the answer stay out. A petition's events share one key (its
enterprise, or the petition itself), so they arrive in order and every event overwrites what it knows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from google.protobuf.message import Message

from eco.v1 import enforcement_pb2
from gateway.search.document_ops import Op, Upsert, doc_id, enum_name
from gateway.search.document_ops import place as _place
from gateway.search.document_ops import text as _text
from gateway.search.document_ops import time_text as _time

pb = enforcement_pb2

# The summary's length in characters (a petition's text is at most 1,000).
SUMMARY_CHARS = 300
MASK = "＊＊＊"
# E-mail addresses; then runs of 7 or more digits, possibly split by spaces or dashes and led by +86
# (mobile and fixed-line numbers, ID card numbers GB 11643-1999 with their X check character). Runs
# touching letters are kept: they are parts of codes (a USCC, GB 32100-2015), not numbers to call.
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[\s-]?)?\d(?:[\s-]?\d){6,}[Xx]?(?![0-9A-Za-z])")

# Problem.category's vocabulary in the words people search with.
CATEGORY_WORDS = {
    "water": "水污染",
    "air": "大气污染",
    "noise": "噪声",
    "solid_waste": "固体废物",
    "soil": "土壤污染",
    "radiation": "辐射",
    "ecology": "生态破坏",
    "other": "其他",
}


def summary(text: str) -> str:
    """The petition's text as the index keeps it: contact details masked, cut to SUMMARY_CHARS."""
    masked = _NUMBER.sub(MASK, _EMAIL.sub(MASK, " ".join(text.split())))
    return masked if len(masked) <= SUMMARY_CHARS else masked[: SUMMARY_CHARS - 1] + "…"


def _status(value: int) -> str:
    return enum_name(pb.PetitionStatus, value, "PETITION_STATUS_")


def _petition_doc(p: pb.Petition) -> dict[str, Any]:
    words = CATEGORY_WORDS.get(p.category, p.category)
    brief = summary(p.text)
    props: dict[str, Any] = {
        "petition_id": p.petition_id,
        "uscc": p.uscc,
        "category": p.category,
        "source": p.source,
        "grid_id": p.grid_id,
        "received_at": _time(p.received_at),
        "accept_due_at": _time(p.accept_due_at),
        "accepted_at": _time(p.accepted_at),
        "handle_due_at": _time(p.handle_due_at),
        "extension_days": p.extension.days,
        "answered_at": _time(p.answered_at),
        "closed_at": _time(p.closed_at),
        "substantiated": p.substantiated,
        "linked_to": p.linked_to,
        "problem_id": p.problem_id,
        "escalation_level": p.escalation_level,
        "overdue": p.overdue,
    }
    doc: dict[str, Any] = {
        "kind": "petition",
        "ref": p.petition_id,
        "title": f"信访（{words}）{brief[:40]}",
        "body": _text(brief, words, p.uscc, p.grid_id),
        "status": _status(p.status),
        **_place(p.town, p.location),
        "props": props,
    }
    if p.grid_id:
        doc["grid"] = p.grid_id
    if props["received_at"]:
        doc["time"] = props["received_at"]  # the time-range filter's field
    return doc


def petition(payload: Message) -> list[Op]:
    """PetitionReceived / PetitionStatusChanged: the petition as it now is (never its contact)."""
    assert isinstance(payload, pb.PetitionReceived | pb.PetitionStatusChanged)
    p = payload.petition
    return [Upsert(doc_id("petition", p.petition_id), _petition_doc(p))]


def petition_escalated(payload: Message) -> list[Op]:
    """PetitionEscalated: overdue, at its new escalation level."""
    assert isinstance(payload, pb.PetitionEscalated)
    props = {
        "escalation_level": payload.escalation_level,
        "overdue": True,
        "missed_due_at": _time(payload.due_at),
    }
    doc = {"status": _status(payload.status), "props": props}
    defaults = {"kind": "petition", "ref": payload.petition_id}
    return [Upsert(doc_id("petition", payload.petition_id), doc, defaults=defaults)]


def petition_closed(payload: Message) -> list[Op]:
    """PetitionClosed: closed (it leaves the map, stays searchable), founded or not, on time or not."""
    assert isinstance(payload, pb.PetitionClosed)
    props = {
        "closed_at": _time(payload.closed_at),
        "substantiated": payload.substantiated,
        "on_time": payload.on_time,
        "overdue": False,
    }
    defaults = {"kind": "petition", "ref": payload.petition_id}
    return [Upsert(doc_id("petition", payload.petition_id), {"status": "closed", "props": props}, defaults)]


BUILDERS: dict[str, Callable[[Message], list[Op]]] = {
    "PetitionReceived": petition,
    "PetitionStatusChanged": petition,
    "PetitionEscalated": petition_escalated,
    "PetitionClosed": petition_closed,
}
