"""Envelopes carry the payload, its type, the subject and the trace id."""

from datetime import UTC, datetime

import pytest

from eco.v1 import evaluation_pb2
from shared import events
from shared.tracing import trace_scope


def test_envelope_round_trip() -> None:
    payload = evaluation_pb2.CreditChanged(uscc="91330100716105852F", score=72.5)
    when = datetime(2026, 5, 1, 8, 30, tzinfo=UTC)
    with trace_scope("abc123"):
        envelope = events.make_envelope(
            source="evaluation", subject_id=payload.uscc, payload=payload, occurred_at=when
        )
    decoded = events.decode(envelope.SerializeToString())
    assert decoded.type == "CreditChanged"
    assert decoded.subject_id == "91330100716105852F"
    assert decoded.trace_id == "abc123"
    assert decoded.occurred_at.ToDatetime(UTC) == when
    assert events.unpack(decoded) == payload


def test_event_ids_are_unique() -> None:
    payload = evaluation_pb2.CreditChanged(uscc="X")
    ids = {events.make_envelope(source="s", subject_id="X", payload=payload).event_id for _ in range(100)}
    assert len(ids) == 100


def test_subject_is_required_and_times_must_be_aware() -> None:
    payload = evaluation_pb2.CreditChanged(uscc="X")
    with pytest.raises(ValueError, match="subject id"):
        events.make_envelope(source="s", subject_id="", payload=payload)
    with pytest.raises(ValueError, match="timezone-aware"):
        events.make_envelope(source="s", subject_id="X", payload=payload, occurred_at=datetime(2026, 1, 1))


@pytest.mark.parametrize("bad", ["x" * 65, "tab\there", "中文", "", None, "a b"])
def test_malformed_trace_ids_are_replaced(bad: str | None) -> None:
    with trace_scope(bad) as trace_id:
        assert trace_id != bad
        assert len(trace_id) == 32


def test_a_well_formed_trace_id_is_kept() -> None:
    with trace_scope("gw-2026_11-29") as trace_id:
        assert trace_id == "gw-2026_11-29"
