"""Translation of the petition half: requests as domain inputs, petitions as replies (the full record
for authorised callers, public fields only for tracking) and event payloads (never the contact)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from google.protobuf.message import Message

from eco.v1 import common_pb2, enforcement_pb2
from services.enforcement.domain import petitions as rules
from services.enforcement.domain.petition_events import (
    PetitionClosed,
    PetitionEscalated,
    PetitionReceived,
    PetitionStatusChanged,
)
from services.enforcement.domain.petition_records import Intake, Record, intake
from services.enforcement.domain.petitions import Status
from services.enforcement.entrypoints.requests import enum_value, location
from shared.proto_values import timestamp

pb = enforcement_pb2
STATUS = {s: getattr(pb, f"PETITION_STATUS_{s.name}") for s in Status}
STATUS_IN = {v: k for k, v in STATUS.items()}


def intake_in(r: pb.SubmitPetitionRequest) -> Intake:
    """A SubmitPetitionRequest checked field by field."""
    return intake(
        uscc=r.uscc,
        source=r.source,
        category=r.category,
        text_in=r.text,
        contact=r.contact if r.HasField("contact") else "",
        location=location("location", r.location, r.HasField("location")),
    )


def statuses(values: list[int]) -> list[Status]:
    """A status filter."""
    return [enum_value("statuses", v, STATUS_IN) for v in values]


def public(r: Record, now: datetime) -> pb.Petition:
    """The petition as its petitioner and the public may see it: [public] fields only."""
    p = r.petition
    return pb.Petition(
        tracking_code=r.tracking_code,
        uscc=p.uscc,
        category=p.category,
        town=r.town,
        status=STATUS[p.status],
        received_at=timestamp(p.received_at),
        accept_due_at=timestamp(p.accept_due_at),
        accepted_at=timestamp(p.accepted_at),
        handle_due_at=timestamp(p.handle_due_at),
        decline_reason=p.decline_reason,
        answer=p.answer,
        answered_at=timestamp(p.answered_at),
        closed_at=timestamp(p.closed_at),
        substantiated=p.substantiated,
        linked_to=p.linked_to,
    )


def petition(r: Record, now: datetime, *, contact: bool = True) -> pb.Petition:
    """The whole petition for authorised callers (events leave the contact out)."""
    p = r.petition
    reply = public(r, now)
    reply.MergeFrom(
        pb.Petition(
            petition_id=p.petition_id,
            source=r.source,
            text=r.text,
            contact=r.contact if contact else "",
            grid_id=r.grid_id,
            problem_id=r.problem_id,
            owner=pb.Assignee(
                department=r.owner.department, user=r.owner.user, commissioner_id=r.owner.commissioner_id
            ),
            escalation_level=r.escalation_level,
            overdue=rules.is_overdue(p, now),
            contact_purged_at=timestamp(r.contact_purged_at),
        )
    )
    if p.lat is not None and p.lon is not None:
        reply.location.CopyFrom(common_pb2.GeoPoint(lat=p.lat, lon=p.lon))
    if p.extension_days:
        by = r.extended_by
        reply.extension.CopyFrom(
            pb.PetitionExtension(
                days=p.extension_days,
                reason=p.extension_reason,
                at=timestamp(r.extended_at),
                actor=common_pb2.Actor(department=by.department, user=by.user, reason=by.reason)
                if by
                else None,
            )
        )
    return reply


def _event_petition(r: Record, at: datetime) -> pb.Petition:
    return petition(r, at, contact=False)


EVENTS: dict[type, Callable[[Any], Message]] = {
    PetitionReceived: lambda e: pb.PetitionReceived(
        petition=_event_petition(e.record, e.record.petition.received_at)
    ),
    PetitionStatusChanged: lambda e: pb.PetitionStatusChanged(
        petition=_event_petition(e.record, e.record.petition.received_at), previous_status=STATUS[e.previous]
    ),
    PetitionEscalated: lambda e: pb.PetitionEscalated(
        petition_id=e.record.petition.petition_id,
        uscc=e.record.petition.uscc,
        status=STATUS[e.record.petition.status],
        escalation_level=e.record.escalation_level,
        due_at=timestamp(e.due_at),
    ),
    PetitionClosed: lambda e: pb.PetitionClosed(
        petition_id=e.record.petition.petition_id,
        uscc=e.record.petition.uscc,
        category=e.record.petition.category,
        substantiated=e.record.petition.substantiated,
        town=e.record.town,
        received_at=timestamp(e.record.petition.received_at),
        closed_at=timestamp(e.record.petition.closed_at),
        on_time=e.on_time,
    ),
}
