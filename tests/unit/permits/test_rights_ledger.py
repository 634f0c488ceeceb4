"""The discharge-rights ledger on SQLite: movements, refusals, conservation, entries, events."""

from __future__ import annotations

import pytest

from services.permits.domain.rights import RESERVE, EntryKind
from services.permits.domain.values import Actor
from services.permits.service_layer import enterprises, rights
from services.permits.service_layer.unit_of_work import Deps
from shared.errors import FailedPrecondition, InvalidArgument, NotFound
from tests.unit.permits.factories import fields, random_uscc
from tests.unit.permits.support import published

WHO = Actor("bureau", "officer-3", "2026 初始分配")


def _enterprise(deps: Deps) -> str:
    code = random_uscc()
    enterprises.register(deps, uscc=code, fields_in=fields())
    return code


def _conserved(deps: Deps, pollutant: str) -> float:
    p = rights.position(deps, pollutant=pollutant)
    assert p.reserve + sum(p.holdings.values()) == p.cap
    assert p.reserve >= 0 and all(g >= 0 for g in p.holdings.values())
    return p.cap / 1e6


def test_allocate_transfer_return_keep_the_cap(deps: Deps) -> None:
    a, b = _enterprise(deps), _enterprise(deps)
    rights.set_cap(deps, pollutant="cod", cap_tonnes=100.0, actor=WHO)
    rights.allocate(deps, pollutant="COD", uscc=a, tonnes=30.5, actor=WHO)
    rights.transfer(deps, pollutant="COD", from_uscc=a, to_uscc=b, tonnes=10.25, actor=WHO)
    rights.return_to_reserve(deps, pollutant="COD", uscc=b, tonnes=0.25, actor=WHO)
    p = rights.position(deps, pollutant="COD")
    assert (p.cap, p.reserve, p.holdings) == (100_000_000, 69_750_000, {a: 20_250_000, b: 10_000_000})
    assert _conserved(deps, "COD") == 100.0
    kinds = [e.kind for e in rights.entries(deps, pollutant="COD").items]
    assert kinds == [EntryKind.RETURN, EntryKind.TRANSFER, EntryKind.ALLOCATION, EntryKind.CAP_SET]
    assert [e.kind for e in rights.entries(deps, uscc=b).items] == [EntryKind.RETURN, EntryKind.TRANSFER]
    [(subject, allocated)] = published(deps, "RightsAllocated")
    assert (
        subject == a and allocated.reserve_after_tonnes == 69.5 and allocated.entry.actor.reason == WHO.reason
    )
    [(subject, moved)] = published(deps, "RightsTransferred")
    assert subject == a and (moved.from_holding_after_tonnes, moved.to_holding_after_tonnes) == (20.25, 10.25)
    assert len(published(deps, "RightsReturned")) == 1


def test_overdrawing_is_refused_and_changes_nothing(deps: Deps) -> None:
    a, b = _enterprise(deps), _enterprise(deps)
    rights.set_cap(deps, pollutant="SO2", cap_tonnes=5.0, actor=WHO)
    rights.allocate(deps, pollutant="SO2", uscc=a, tonnes=5.0, actor=WHO)
    with pytest.raises(FailedPrecondition, match=r"the reserve holds 0.0 t/a"):
        rights.allocate(deps, pollutant="SO2", uscc=b, tonnes=0.001, actor=WHO)
    with pytest.raises(FailedPrecondition, match=f"enterprise {b} holds 0.0"):
        rights.transfer(deps, pollutant="SO2", from_uscc=b, to_uscc=a, tonnes=1.0, actor=WHO)
    with pytest.raises(FailedPrecondition, match=r"needs that much in reserve"):
        rights.set_cap(deps, pollutant="SO2", cap_tonnes=4.0, actor=WHO)
    p = rights.position(deps, pollutant="SO2")
    assert (p.cap, p.reserve, p.holdings) == (5_000_000, 0, {a: 5_000_000})


def test_raising_the_cap_adds_to_the_reserve(deps: Deps) -> None:
    rights.set_cap(deps, pollutant="VOCS", cap_tonnes=10.0, actor=WHO)
    rights.set_cap(deps, pollutant="VOCS", cap_tonnes=12.5, actor=WHO)
    p = rights.position(deps, pollutant="VOCS")
    assert (p.cap, p.reserve) == (12_500_000, 12_500_000)
    assert [e.grams for e in rights.entries(deps, pollutant="VOCS").items] == [2_500_000, 10_000_000]
    caps = published(deps, "RightsCapSet")
    assert [subject for subject, _ in caps] == ["VOCS", "VOCS"]  # keyed by the pollutant
    assert [(e.cap_tonnes, e.reserve_tonnes) for _, e in caps] == [(10.0, 10.0), (12.5, 12.5)]
    assert caps[1][1].pollutant == "VOCS" and caps[1][1].actor.reason == WHO.reason


def test_a_refused_cap_change_publishes_nothing_and_a_refused_first_cap_leaves_no_cap(deps: Deps) -> None:
    a = _enterprise(deps)
    rights.set_cap(deps, pollutant="NOX", cap_tonnes=2.0, actor=WHO)
    rights.allocate(deps, pollutant="NOX", uscc=a, tonnes=2.0, actor=WHO)
    with pytest.raises(FailedPrecondition):
        rights.set_cap(deps, pollutant="NOX", cap_tonnes=1.0, actor=WHO)
    assert len(published(deps, "RightsCapSet")) == 1
    with pytest.raises(InvalidArgument):
        rights.set_cap(deps, pollutant="NH3N", cap_tonnes=1.0, actor=Actor("bureau"))
    with pytest.raises(NotFound):
        rights.position(deps, pollutant="NH3N")


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda d, a: rights.allocate(d, pollutant="PM", uscc=a, tonnes=1, actor=WHO), "pollutant"),
        (lambda d, a: rights.allocate(d, pollutant="COD", uscc=a, tonnes=-1, actor=WHO), "tonnes"),
        (lambda d, a: rights.allocate(d, pollutant="COD", uscc=a, tonnes=float("nan"), actor=WHO), "tonnes"),
        (lambda d, a: rights.allocate(d, pollutant="COD", uscc=a, tonnes=0, actor=WHO), "tonnes"),
        (
            lambda d, a: rights.allocate(d, pollutant="COD", uscc="91330100716105852X", tonnes=1, actor=WHO),
            "uscc",
        ),
        (
            lambda d, a: rights.allocate(d, pollutant="COD", uscc=a, tonnes=1, actor=Actor("bureau")),
            "actor.reason",
        ),
        (
            lambda d, a: rights.transfer(d, pollutant="COD", from_uscc=a, to_uscc=a, tonnes=1, actor=WHO),
            "to_uscc",
        ),
        (lambda d, a: rights.set_cap(d, pollutant="COD", cap_tonnes=float("inf"), actor=WHO), "cap_tonnes"),
    ],
)
def test_bad_input_names_the_field(deps: Deps, call, field: str) -> None:  # type: ignore[no-untyped-def]
    a = _enterprise(deps)
    rights.set_cap(deps, pollutant="COD", cap_tonnes=10, actor=WHO)
    with pytest.raises(InvalidArgument) as err:
        call(deps, a)
    assert err.value.field == field
    assert rights.position(deps, pollutant="COD").reserve == 10_000_000


def test_unknown_enterprise_and_missing_cap(deps: Deps) -> None:
    a = _enterprise(deps)
    with pytest.raises(FailedPrecondition, match=r"no city cap is set for NOX"):
        rights.allocate(deps, pollutant="NOX", uscc=a, tonnes=1, actor=WHO)
    rights.set_cap(deps, pollutant="NOX", cap_tonnes=10, actor=WHO)
    with pytest.raises(NotFound):
        rights.allocate(deps, pollutant="NOX", uscc=random_uscc(), tonnes=1, actor=WHO)
    with pytest.raises(NotFound):
        rights.position(deps, pollutant="NH3N")
    assert RESERVE not in rights.position(deps, pollutant="NOX").holdings
