"""The public page's short-lived status and the scans counted in batches: no services needed."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime

import grpc
import pytest

from eco.v1 import codes_pb2
from gateway.public.live import Known, LiveStatus
from gateway.public.scans import ScanCounter


class Down(grpc.RpcError):
    def __init__(self, code: grpc.StatusCode = grpc.StatusCode.UNAVAILABLE) -> None:
        self._code = code

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return "down"


def known(name: str) -> Known:
    return Known(codes_pb2.ResolveTokenResponse(), {"name": name}, time.monotonic(), datetime.now(UTC))


def counting(asked: list[int], name: str = "a") -> Known:
    asked.append(1)
    return known(name)


def test_a_fresh_status_is_asked_once_per_period() -> None:
    live, asked = LiveStatus(ttl=60), list[int]()
    for _ in range(5):
        answer = live.get("t", lambda: counting(asked))
    assert len(asked) == 1 and answer.known.view == {"name": "a"} and answer.stale_seconds is None


def test_an_old_status_is_asked_again() -> None:
    live, names = LiveStatus(ttl=0.01), iter(["first", "second"])
    live.get("t", lambda: known(next(names)))
    time.sleep(0.02)
    assert live.get("t", lambda: known(next(names))).known.view == {"name": "second"}


def test_the_last_known_status_is_served_with_its_age_while_the_service_is_down() -> None:
    live = LiveStatus(ttl=0.01, stale_for=60)
    live.get("t", lambda: known("kept"))
    time.sleep(0.02)

    def down() -> Known:
        raise Down()

    answer = live.get("t", down)
    assert answer.known.view == {"name": "kept"} and answer.stale_seconds is not None
    assert answer.stale_seconds >= 0.02
    with pytest.raises(grpc.RpcError):  # never known: nothing to serve
        live.get("other", down)


def test_too_old_a_status_is_not_served() -> None:
    live = LiveStatus(ttl=0.01, stale_for=0.02)
    live.get("t", lambda: known("kept"))
    time.sleep(0.05)

    def down() -> Known:
        raise Down()

    with pytest.raises(grpc.RpcError):
        live.get("t", down)


def test_concurrent_requests_for_one_token_ask_once() -> None:
    live, asked, gate = LiveStatus(ttl=60), [], threading.Event()

    def slow() -> Known:
        asked.append(1)
        gate.wait(5)
        return known("a")

    threads = [threading.Thread(target=live.get, args=("t", slow)) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(0.1)
    gate.set()
    for t in threads:
        t.join(5)
    assert len(asked) == 1


def test_the_map_forgets_the_least_recently_asked_tokens() -> None:
    live = LiveStatus(ttl=60, max_tokens=2)
    for token in ("a", "b", "c"):
        live.get(token, lambda: known("x"))
    asked: list[int] = []
    live.get("a", lambda: counting(asked))
    assert asked == [1]


class Codes:
    """Records batches; fails the first `failures` sends."""

    def __init__(self, failures: int = 0, error: grpc.StatusCode = grpc.StatusCode.UNAVAILABLE) -> None:
        self.batches: list[codes_pb2.RecordScansRequest] = []
        self.failures, self.error = failures, error

    def send(self, batch: codes_pb2.RecordScansRequest) -> codes_pb2.RecordScansResponse:
        if self.failures:
            self.failures -= 1
            raise Down(self.error)
        self.batches.append(batch)
        return codes_pb2.RecordScansResponse(recorded=sum(c.count for c in batch.counts))


def test_scans_are_sent_in_one_batch_per_flush_summed_per_enterprise_and_day() -> None:
    codes, day = Codes(), date(2026, 12, 1)
    counter = ScanCounter(codes.send)
    for uscc in ["A", "A", "B", "A"]:
        counter.add(uscc, day)
    assert counter.flush() == 4
    assert [(c.uscc, c.count) for c in codes.batches[0].counts] == [("A", 3), ("B", 1)]
    assert counter.flush() == 0 and len(codes.batches) == 1


def test_a_failed_batch_is_sent_again_under_the_same_id_and_later_scans_follow_it() -> None:
    codes, day = Codes(failures=1), date(2026, 12, 1)
    counter = ScanCounter(codes.send)
    counter.add("A", day)
    assert counter.flush() == 0
    counter.add("B", day)
    assert counter.flush() == 2
    first, second = codes.batches
    assert [c.uscc for c in first.counts] == ["A"] and [c.uscc for c in second.counts] == ["B"]
    assert first.batch_id != second.batch_id


def test_a_refused_batch_is_let_go_not_retried_for_ever() -> None:
    codes = Codes(failures=1, error=grpc.StatusCode.INVALID_ARGUMENT)
    counter = ScanCounter(codes.send)
    counter.add("A", date(2026, 12, 1))
    assert counter.flush() == 0
    assert counter.flush() == 0 and codes.batches == []


def test_stopping_sends_what_is_left() -> None:
    codes = Codes()
    counter = ScanCounter(codes.send, every=60)
    counter.start()
    counter.add("A", date(2026, 12, 1))
    counter.stop()
    assert [c.uscc for c in codes.batches[0].counts] == ["A"]
