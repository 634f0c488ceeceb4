"""The emergency-notification stream over gRPC: a subscriber that drops and reconnects with the last
position it received gets every later notification once, none lost and none repeated."""

from __future__ import annotations

import threading

import grpc

from eco.v1 import common_pb2, risk_pb2
from tests.integration.risk.conftest import Risk

SITE = common_pb2.GeoPoint(lat=30.17, lon=121.27)


def _declare(risk: Risk, title: str) -> str:
    return risk.stub.DeclareEmergency(
        risk_pb2.DeclareEmergencyRequest(
            title=title,
            kind="other",
            grade=risk_pb2.EMERGENCY_GRADE_IV,
            location=SITE,
            needs=[
                risk_pb2.SupplyAmount(item_code="sandbag", quantity=common_pb2.Quantity(value=1, unit="pcs"))
            ],
        ),
        metadata=risk.md(),
    ).emergency_id


def _read(risk: Risk, after: int, count: int) -> list[risk_pb2.EmergencyNotification]:
    """Read `count` notifications after a position, then drop the connection."""
    ch, stub = risk.new_stub()
    got: list[risk_pb2.EmergencyNotification] = []
    stream = stub.StreamEmergencyNotifications(
        risk_pb2.StreamEmergencyNotificationsRequest(after_position=after), metadata=risk.md(), timeout=60
    )
    for n in stream:
        got.append(n)
        if len(got) == count:
            stream.cancel()
            break
    ch.close()
    return got


def test_resume_after_disconnect_loses_and_repeats_nothing(risk: Risk) -> None:
    first = _declare(risk, "First")  # declared + dispatched (shortage)
    got = _read(risk, 0, 1)
    assert [(n.position, n.emergency_id, n.kind) for n in got] == [
        (1, first, risk_pb2.EMERGENCY_NOTIFICATION_KIND_DECLARED)
    ]
    # While no one listens, more happens.
    second = _declare(risk, "Second")
    risk.stub.CloseEmergency(
        risk_pb2.CloseEmergencyRequest(emergency_id=first, summary="done"), metadata=risk.md()
    )
    # A live subscriber started from the last position sees the backlog, then a new one as it happens.
    received: list[risk_pb2.EmergencyNotification] = []
    done = threading.Event()

    def listen() -> None:
        received.extend(_read(risk, got[-1].position, 5))
        done.set()

    threading.Thread(target=listen, daemon=True).start()
    third = _declare(risk, "Third")
    assert done.wait(30), f"stream stalled with {[n.position for n in received]}"
    positions = [n.position for n in received]
    assert positions == [2, 3, 4, 5, 6]  # every position after 1, once, in order
    assert [(n.emergency_id, n.kind) for n in received] == [
        (first, risk_pb2.EMERGENCY_NOTIFICATION_KIND_DISPATCHED),
        (second, risk_pb2.EMERGENCY_NOTIFICATION_KIND_DECLARED),
        (second, risk_pb2.EMERGENCY_NOTIFICATION_KIND_DISPATCHED),
        (first, risk_pb2.EMERGENCY_NOTIFICATION_KIND_CLOSED),
        (third, risk_pb2.EMERGENCY_NOTIFICATION_KIND_DECLARED),
    ]


def test_a_negative_position_is_invalid(risk: Risk) -> None:
    stream = risk.stub.StreamEmergencyNotifications(
        risk_pb2.StreamEmergencyNotificationsRequest(after_position=-1), metadata=risk.md(), timeout=10
    )
    try:
        next(iter(stream))
        raise AssertionError("expected INVALID_ARGUMENT")
    except grpc.RpcError as exc:
        assert exc.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "after_position" in (exc.details() or "")
