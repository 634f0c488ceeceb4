"""The code service's one translation module: protobuf messages <-> domain objects, for replies,
event payloads and the events it consumes.

The vocabulary tables (credit levels, permit classes and states by their protobuf numbers) live
here, so the page says what the service means ("unrated", "key", "expired") and the two cannot
drift apart.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from google.protobuf.message import Message

from eco.v1 import codes_pb2, common_pb2, evaluation_pb2, events_pb2, permits_pb2
from services.codes.domain import events as ev
from services.codes.domain.credit import look
from services.codes.domain.industry import section
from services.codes.domain.model import CodeStatus
from services.codes.domain.status import (
    CreditFact,
    CreditLevel,
    EnterpriseStatus,
    PermitFact,
    PermitState,
    ProfileFact,
)
from services.codes.service_layer.codes import IssuedCode
from shared.proto_values import date_pb as to_date
from shared.proto_values import timestamp
from shared.unit_of_work import event_table

log = logging.getLogger(__name__)

# 企业环境信用评价办法（试行）(2013) levels; an enterprise not yet rated is "unrated", not "unspecified".
CREDIT_FROM_PROTO: dict[common_pb2.CreditLevel, CreditLevel] = {
    common_pb2.CREDIT_LEVEL_UNSPECIFIED: CreditLevel.UNRATED,
    common_pb2.CREDIT_LEVEL_GREEN: CreditLevel.GREEN,
    common_pb2.CREDIT_LEVEL_BLUE: CreditLevel.BLUE,
    common_pb2.CREDIT_LEVEL_YELLOW: CreditLevel.YELLOW,
    common_pb2.CREDIT_LEVEL_RED: CreditLevel.RED,
    common_pb2.CREDIT_LEVEL_BLACK: CreditLevel.BLACK,
}
CREDIT_TO_PROTO = {level: number for number, level in CREDIT_FROM_PROTO.items()}

# 排污许可管理条例 (2021) management classes; "" when the class is not known.
PERMIT_CLASS_FROM_PROTO: dict[common_pb2.PermitClass, str] = {
    common_pb2.PERMIT_CLASS_UNSPECIFIED: "",
    common_pb2.PERMIT_CLASS_KEY: "key",
    common_pb2.PERMIT_CLASS_SIMPLIFIED: "simplified",
    common_pb2.PERMIT_CLASS_REGISTRATION: "registration",
}
PERMIT_CLASS_TO_PROTO = {name: number for number, name in PERMIT_CLASS_FROM_PROTO.items()}

PERMIT_STATE_TO_PROTO: dict[PermitState, codes_pb2.PermitState] = {
    PermitState.NONE: codes_pb2.PERMIT_STATE_UNSPECIFIED,
    PermitState.VALID: codes_pb2.PERMIT_STATE_VALID,
    PermitState.EXPIRED: codes_pb2.PERMIT_STATE_EXPIRED,
    PermitState.REVOKED: codes_pb2.PERMIT_STATE_REVOKED,
    PermitState.SUSPENDED: codes_pb2.PERMIT_STATE_SUSPENDED,
}
PERMIT_STATE_FROM_PROTO = {number: state for state, number in PERMIT_STATE_TO_PROTO.items()}

CODE_STATUS_TO_PROTO = {
    CodeStatus.ACTIVE: codes_pb2.CODE_STATUS_ACTIVE,
    CodeStatus.REVOKED: codes_pb2.CODE_STATUS_REVOKED,
}


def from_date(value: common_pb2.Date, field: str) -> date | None:
    """A date from a protobuf Date (None when unset); ValueError naming the field when impossible."""
    if not (value.year or value.month or value.day):
        return None
    try:
        return date(value.year, value.month, value.day)
    except ValueError as exc:
        raise ValueError(f"{field}: {exc}") from None


def code(issued: IssuedCode) -> codes_pb2.Code:
    """A Code message."""
    c = issued.code
    return codes_pb2.Code(
        uscc=c.uscc,
        version=c.version,
        status=CODE_STATUS_TO_PROTO[c.status],
        token=issued.token,
        url=issued.url,
        key_id=c.key_id,
        issued_at=timestamp(c.issued_at),
        revoked_at=timestamp(c.revoked_at),
        revoke_reason=c.revoke_reason,
    )


def public_status(status: EnterpriseStatus, version: int, today: date) -> codes_pb2.PublicStatus:
    """The public view of an enterprise: only the public fields of the read model."""
    shown = look(status.credit_level)
    message = codes_pb2.PublicStatus(
        uscc=status.uscc,
        name=status.name,
        town=status.town,
        industry=status.industry,
        industry_section=section(status.industry),
        profile_as_of=timestamp(status.profile_as_of),
        credit_level=CREDIT_TO_PROTO[status.credit_level],
        credit_as_of=timestamp(status.credit_as_of),
        credit_colour=shown.colour,
        credit_label=shown.label,
        credit_meaning=shown.meaning,
        code_version=version,
    )
    if status.permit_state is not PermitState.NONE:
        message.permit.CopyFrom(
            codes_pb2.PublicPermit(
                permit_number=status.permit_number,
                state=PERMIT_STATE_TO_PROTO[status.permit_state_on(today)],
                permit_class=PERMIT_CLASS_TO_PROTO.get(
                    status.permit_class, common_pb2.PERMIT_CLASS_UNSPECIFIED
                ),
                valid_from=to_date(status.permit_valid_from),
                valid_to=to_date(status.permit_valid_to),
                as_of=timestamp(status.permit_as_of),
            )
        )
    return message


_EVENTS: dict[type, Callable[[Any], Message]] = {
    ev.CodeIssued: lambda e: codes_pb2.CodeIssued(
        uscc=e.uscc, version=e.version, key_id=e.key_id, url=e.url, reissue=e.reissue, reason=e.reason
    ),
    ev.CodeRotated: lambda e: codes_pb2.CodeRotated(
        uscc=e.uscc,
        previous_version=e.previous_version,
        version=e.version,
        key_id=e.key_id,
        url=e.url,
        reason=e.reason,
    ),
    ev.CodeRevoked: lambda e: codes_pb2.CodeRevoked(uscc=e.uscc, version=e.version, reason=e.reason),
}
# The contract payload of a code-service domain event (wired as Deps.translate by bootstrap).
event_message = event_table("code-service", _EVENTS)


# --- events consumed: the registry's, permits' and evaluation's events as domain facts ---


def _at(envelope: events_pb2.EventEnvelope) -> datetime:
    # The time the fact happened in the domain: older facts must not overwrite newer ones.
    return envelope.occurred_at.ToDatetime(tzinfo=UTC)


def _event_date(value: common_pb2.Date, field: str) -> date | None:
    # A malformed date from a producer must not block the topic (the consumer would retry forever):
    # show the date as unknown and say so in the log.
    try:
        return from_date(value, field)
    except ValueError as exc:
        log.warning("permit event with an impossible date: %s", exc)
        return None


def profile_fact(envelope: events_pb2.EventEnvelope, payload: Message) -> ProfileFact:
    """EnterpriseRegistered or EnterpriseUpdated as the public profile it states."""
    assert isinstance(payload, permits_pb2.EnterpriseRegistered | permits_pb2.EnterpriseUpdated)
    summary = payload.enterprise
    # Only public fields cross into the read model; location, grid, address and risk flags stay out.
    return ProfileFact(
        uscc=summary.uscc,
        name=summary.name,
        town=summary.town,
        industry=summary.industry_code,
        occurred_at=_at(envelope),
    )


def permit_fact(envelope: events_pb2.EventEnvelope, payload: Message) -> PermitFact:
    """The public facts of any permit event (the event types carry different subsets of fields)."""
    state, permit_class = PermitState.VALID, ""
    valid_from = valid_to = None
    if isinstance(payload, permits_pb2.PermitIssued | permits_pb2.PermitReinstated):
        permit_class = PERMIT_CLASS_FROM_PROTO.get(payload.permit_class, "")
    if isinstance(
        payload, permits_pb2.PermitIssued | permits_pb2.PermitRenewed | permits_pb2.PermitReinstated
    ):
        valid_from = _event_date(payload.valid_from, "valid_from")
        valid_to = _event_date(payload.valid_until, "valid_until")
    elif isinstance(payload, permits_pb2.PermitExpired):
        state, valid_to = PermitState.EXPIRED, _event_date(payload.valid_until, "valid_until")
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


def credit_fact(envelope: events_pb2.EventEnvelope, payload: Message) -> CreditFact:
    """CreditChanged as the enterprise's credit level from then on."""
    assert isinstance(payload, evaluation_pb2.CreditChanged)
    return CreditFact(
        uscc=payload.uscc,
        level=CREDIT_FROM_PROTO.get(payload.level, CreditLevel.UNRATED),
        occurred_at=_at(envelope),
    )
