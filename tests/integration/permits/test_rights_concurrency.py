"""The rights ledger under real concurrent gRPC clients against PostgreSQL.

Each client thread has its own channel, so its calls run on the server's thread pool with their own
database connections; a watcher checks conservation in one statement (one snapshot) all along.
"""

from __future__ import annotations

import random
import threading

import grpc
import pytest
import sqlalchemy as sa

from eco.v1 import common_pb2, permits_pb2
from tests.integration.permits.clients import run_concurrently
from tests.integration.permits.conftest import Permits
from tests.unit.permits.factories import fields_pb, random_uscc

pytestmark = pytest.mark.integration
WHO = common_pb2.Actor(user="ledger-test", reason="并发测试")
CONSERVATION = sa.text(
    "SELECT (SELECT cap_g FROM rights_caps WHERE pollutant = :p)"
    " - (SELECT coalesce(sum(balance_g), 0) FROM rights_accounts WHERE pollutant = :p),"
    " (SELECT count(*) FROM rights_accounts WHERE pollutant = :p AND balance_g < 0)"
)


def _enterprises(p: Permits, n: int) -> list[str]:
    codes = [random_uscc() for _ in range(n)]
    for code in codes:
        p.stub.RegisterEnterprise(
            permits_pb2.RegisterEnterpriseRequest(uscc=code, fields=fields_pb()), metadata=p.md()
        )
    return codes


class Watcher:
    """Checks reserve + holdings = cap and no negative balance, continuously, until stopped."""

    def __init__(self, url: str, pollutant: str) -> None:
        self.engine = sa.create_engine(url)
        self.pollutant = pollutant
        self.checks = 0
        self.violations: list[tuple[int, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> Watcher:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(10)
        self.engine.dispose()

    def _loop(self) -> None:
        with self.engine.connect() as conn:
            while not self._stop.is_set():
                difference, negatives = conn.execute(CONSERVATION, {"p": self.pollutant}).one()
                conn.rollback()
                self.checks += 1
                if difference != 0 or negatives:
                    self.violations.append((difference, negatives))


def _run(p: Permits, calls: list, workers: int) -> list[grpc.StatusCode]:  # type: ignore[type-arg]
    """Run each call from its own client (own channel) concurrently; their status codes."""
    return [code for code, _ in run_concurrently(p, calls, workers)]


def test_concurrent_allocations_of_the_last_tonnes_never_overdraw(permits: Permits, pg_url: str) -> None:
    p = permits
    codes = _enterprises(p, 4)
    p.stub.SetRightsCap(
        permits_pb2.SetRightsCapRequest(pollutant="COD", cap_tonnes=10.0, actor=WHO), metadata=p.md()
    )
    md = p.md()
    calls = [
        (
            lambda stub, code=codes[i % 4]: stub.AllocateRights(
                permits_pb2.AllocateRightsRequest(pollutant="COD", uscc=code, tonnes=0.5, actor=WHO),
                metadata=md,
            )
        )
        for i in range(32)
    ]
    with Watcher(pg_url, "COD") as watcher:
        results = _run(p, calls, workers=32)
    assert results.count(grpc.StatusCode.OK) == 20  # 10 t in 0.5 t lots
    assert results.count(grpc.StatusCode.FAILED_PRECONDITION) == 12
    position = p.stub.GetRightsPosition(permits_pb2.GetRightsPositionRequest(pollutant="COD"), metadata=md)
    assert position.reserve_tonnes == 0.0
    assert sum(h.tonnes for h in position.holdings) == 10.0
    entries = p.stub.ListRightsEntries(
        permits_pb2.ListRightsEntriesRequest(pollutant="COD", page=common_pb2.PageRequest(page_size=100)),
        metadata=md,
    )
    assert len(entries.entries) == 21  # the cap and 20 allocations, nothing for the refused ones
    assert watcher.checks > 0 and watcher.violations == []


def test_concurrent_transfers_returns_and_allocations_conserve_the_cap(permits: Permits, pg_url: str) -> None:
    p = permits
    codes = _enterprises(p, 3)
    md = p.md()
    p.stub.SetRightsCap(
        permits_pb2.SetRightsCapRequest(pollutant="NOX", cap_tonnes=30.0, actor=WHO), metadata=md
    )
    for code in codes:
        p.stub.AllocateRights(
            permits_pb2.AllocateRightsRequest(pollutant="NOX", uscc=code, tonnes=5.0, actor=WHO), metadata=md
        )
    rng = random.Random(7)
    calls = []
    for _ in range(60):
        a, b = rng.sample(codes, 2)
        tonnes = rng.choice([0.5, 1.0, 2.5, 4.0])
        kind = rng.choice(["transfer", "transfer", "transfer", "return", "allocate"])
        if kind == "transfer":
            request = permits_pb2.TransferRightsRequest(
                pollutant="NOX", from_uscc=a, to_uscc=b, tonnes=tonnes, actor=WHO
            )
            calls.append(lambda stub, r=request: stub.TransferRights(r, metadata=md))
        elif kind == "return":
            returned = permits_pb2.ReturnRightsRequest(pollutant="NOX", uscc=a, tonnes=tonnes, actor=WHO)
            calls.append(lambda stub, r=returned: stub.ReturnRights(r, metadata=md))
        else:
            allocated = permits_pb2.AllocateRightsRequest(pollutant="NOX", uscc=a, tonnes=tonnes, actor=WHO)
            calls.append(lambda stub, r=allocated: stub.AllocateRights(r, metadata=md))
    with Watcher(pg_url, "NOX") as watcher:
        results = _run(p, calls, workers=24)
    assert set(results) <= {grpc.StatusCode.OK, grpc.StatusCode.FAILED_PRECONDITION}
    assert results.count(grpc.StatusCode.OK) > 0
    position = p.stub.GetRightsPosition(permits_pb2.GetRightsPositionRequest(pollutant="NOX"), metadata=md)
    assert round(position.reserve_tonnes + sum(h.tonnes for h in position.holdings), 6) == 30.0
    assert all(h.tonnes >= 0 for h in position.holdings) and position.reserve_tonnes >= 0
    assert watcher.checks > 0 and watcher.violations == []
    # Replaying the ledger's entries gives the same balances: every movement was recorded.
    page = p.stub.ListRightsEntries(
        permits_pb2.ListRightsEntriesRequest(pollutant="NOX", page=common_pb2.PageRequest(page_size=500)),
        metadata=md,
    )
    replayed: dict[str, float] = {}
    for entry in page.entries:
        replayed[entry.to_holder] = replayed.get(entry.to_holder, 0.0) + entry.tonnes
        if entry.from_holder:
            replayed[entry.from_holder] = replayed.get(entry.from_holder, 0.0) - entry.tonnes
    assert {h.uscc: round(h.tonnes, 6) for h in position.holdings} == {
        k: round(v, 6) for k, v in replayed.items() if k != "RESERVE" and round(v, 6) != 0
    }
    assert round(replayed["RESERVE"], 6) == round(position.reserve_tonnes, 6)
    assert len(page.entries) == 1 + 3 + results.count(grpc.StatusCode.OK)
