"""Events the code service consumes: the registry and permits (eco.permits.events) and credit
changes (eco.evaluation.events), each translated to a domain fact and applied to the read model."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime

from google.protobuf.message import Message
from sqlalchemy.engine import Connection

from eco.v1 import common_pb2, evaluation_pb2, events_pb2, permits_pb2
from services.codes.domain.status import CreditFact, CreditLevel, PermitFact, PermitState, ProfileFact
from services.codes.entrypoints.translate import CREDIT_FROM_PROTO, PERMIT_CLASS_FROM_PROTO, from_date
from services.codes.service_layer import read_model
from services.codes.service_layer.context import Context
from shared.consumer import Handler
from shared.topology import topic_for

log = logging.getLogger(__name__)

GROUP_ID = "codes"
TOPICS = [topic_for("permits"), topic_for("evaluation")]

Envelope = events_pb2.EventEnvelope


def _at(envelope: Envelope) -> datetime:
    # The time the fact happened in the domain: older facts must not overwrite newer ones.
    return envelope.occurred_at.ToDatetime(tzinfo=UTC)


def _date(value: common_pb2.Date, field: str) -> date | None:
    # A malformed date from a producer must not block the topic (the consumer would retry forever):
    # show the date as unknown and say so in the log.
    try:
        return from_date(value, field)
    except ValueError as exc:
        log.warning("permit event with an impossible date: %s", exc)
        return None


def _profile(envelope: Envelope, summary: permits_pb2.EnterpriseSummary) -> ProfileFact:
    # Only public fields cross into the read model; location, grid, address and risk flags stay out.
    return ProfileFact(
        uscc=summary.uscc,
        name=summary.name,
        town=summary.town,
        industry=summary.industry_code,
        occurred_at=_at(envelope),
    )


def _permit(envelope: Envelope, payload: Message) -> PermitFact:
    """The public facts of any permit event (the event types carry different subsets of fields)."""
    state, permit_class = PermitState.VALID, ""
    valid_from = valid_to = None
    if isinstance(payload, permits_pb2.PermitIssued | permits_pb2.PermitReinstated):
        permit_class = PERMIT_CLASS_FROM_PROTO.get(payload.permit_class, "")
    if isinstance(
        payload, permits_pb2.PermitIssued | permits_pb2.PermitRenewed | permits_pb2.PermitReinstated
    ):
        valid_from = _date(payload.valid_from, "valid_from")
        valid_to = _date(payload.valid_until, "valid_until")
    elif isinstance(payload, permits_pb2.PermitExpired):
        state, valid_to = PermitState.EXPIRED, _date(payload.valid_until, "valid_until")
    elif isinstance(payload, permits_pb2.PermitRevoked):
        state = PermitState.REVOKED
    elif isinstance(payload, permits_pb2.PermitSuspended):
        state = PermitState.SUSPENDED
    else:
        raise TypeError(f"not a permit event: {payload.DESCRIPTOR.full_name}")
    return PermitFact(
        uscc=payload.uscc,
        permit_number=payload.permit_number,
        state=state,
        permit_class=permit_class,
        valid_from=valid_from,
        valid_to=valid_to,
        occurred_at=_at(envelope),
    )


def handlers(ctx: Context) -> dict[str, Handler]:
    """Event type -> handler, each run inside the consumer's transaction."""

    def registered(conn: Connection, envelope: Envelope, payload: Message) -> None:
        assert isinstance(payload, permits_pb2.EnterpriseRegistered)
        read_model.record_profile(conn, ctx, _profile(envelope, payload.enterprise), registered=True)

    def updated(conn: Connection, envelope: Envelope, payload: Message) -> None:
        assert isinstance(payload, permits_pb2.EnterpriseUpdated)
        read_model.record_profile(conn, ctx, _profile(envelope, payload.enterprise), registered=False)

    def permit(conn: Connection, envelope: Envelope, payload: Message) -> None:
        read_model.record_permit(conn, _permit(envelope, payload))

    def credit(conn: Connection, envelope: Envelope, payload: Message) -> None:
        assert isinstance(payload, evaluation_pb2.CreditChanged)
        fact = CreditFact(
            uscc=payload.uscc,
            level=CREDIT_FROM_PROTO.get(payload.level, CreditLevel.UNRATED),
            occurred_at=_at(envelope),
        )
        read_model.record_credit(conn, fact)

    table: dict[str, Callable[[Connection, Envelope, Message], None]] = {
        "EnterpriseRegistered": registered,
        "EnterpriseUpdated": updated,
        "PermitIssued": permit,
        "PermitRenewed": permit,
        "PermitExpired": permit,
        "PermitRevoked": permit,
        "PermitSuspended": permit,
        "PermitReinstated": permit,
        "CreditChanged": credit,
    }
    return table
