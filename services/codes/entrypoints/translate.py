"""Translation between protobuf messages and the code service's domain objects."""

from __future__ import annotations

from datetime import date, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import codes_pb2, common_pb2
from services.codes.domain.credit import look
from services.codes.domain.industry import section
from services.codes.domain.model import CodeStatus
from services.codes.domain.status import EnterpriseStatus, PermitState
from services.codes.domain.vocabulary import (
    CREDIT_TO_PROTO,
    PERMIT_CLASS_TO_PROTO,
    PERMIT_STATE_TO_PROTO,
)
from services.codes.service_layer.codes import IssuedCode

CODE_STATUS_TO_PROTO = {
    CodeStatus.ACTIVE: codes_pb2.CODE_STATUS_ACTIVE,
    CodeStatus.REVOKED: codes_pb2.CODE_STATUS_REVOKED,
}


def timestamp(when: datetime | None) -> Timestamp | None:
    """A protobuf timestamp, or None for an unknown time (the field then stays unset)."""
    if when is None:
        return None
    ts = Timestamp()
    ts.FromDatetime(when)
    return ts


def to_date(value: date | None) -> common_pb2.Date | None:
    """A protobuf Date, or None."""
    return common_pb2.Date(year=value.year, month=value.month, day=value.day) if value else None


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
