"""Building and opening event envelopes (DESIGN.md, Events)."""

from __future__ import annotations

import importlib
import pkgutil
import uuid
from datetime import UTC, datetime

from google.protobuf import symbol_database
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import events_pb2
from shared.tracing import current_trace_id

EventEnvelope = events_pb2.EventEnvelope


def _timestamp(when: datetime) -> Timestamp:
    if when.tzinfo is None:
        raise ValueError("event times must be timezone-aware")
    ts = Timestamp()
    ts.FromDatetime(when.astimezone(UTC))
    return ts


def event_type(payload: Message) -> str:
    """The routing name of an event: its message's short name, e.g. "PermitIssued"."""
    return payload.DESCRIPTOR.name


def make_envelope(
    *,
    source: str,
    subject_id: str,
    payload: Message,
    occurred_at: datetime | None = None,
    recorded_at: datetime | None = None,
    trace_id: str | None = None,
) -> events_pb2.EventEnvelope:
    """Wrap a payload in an envelope with a fresh event id and the current trace id."""
    if not subject_id:
        raise ValueError("an event needs a subject id (it is the Kafka key)")
    now = datetime.now(UTC)
    envelope = events_pb2.EventEnvelope(
        event_id=str(uuid.uuid4()),
        type=event_type(payload),
        source=source,
        subject_id=subject_id,
        occurred_at=_timestamp(occurred_at or now),
        recorded_at=_timestamp(recorded_at or now),
        trace_id=trace_id if trace_id is not None else current_trace_id(),
    )
    envelope.payload.Pack(payload)
    return envelope


def _import_all_contracts() -> None:
    """Import every generated eco.v1 module, which registers all event types."""
    import eco.v1

    for module in pkgutil.iter_modules(eco.v1.__path__):
        if module.name.endswith("_pb2"):
            importlib.import_module(f"eco.v1.{module.name}")


def unpack(envelope: events_pb2.EventEnvelope) -> Message:
    """The payload as its concrete message class (any type declared under proto/eco/v1)."""
    full_name = envelope.payload.TypeName()
    try:
        message_class = symbol_database.Default().GetSymbol(full_name)
    except KeyError:
        _import_all_contracts()
        message_class = symbol_database.Default().GetSymbol(full_name)
    payload = message_class()
    envelope.payload.Unpack(payload)
    return payload


def decode(raw: bytes) -> events_pb2.EventEnvelope:
    """An envelope from the bytes of a Kafka message value."""
    envelope = events_pb2.EventEnvelope()
    envelope.ParseFromString(raw)
    return envelope
