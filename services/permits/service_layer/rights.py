"""Use cases of the discharge-rights ledger.

Invariants, held by the transaction: no balance goes negative, and reserve + holdings = cap at
every commit. Every movement locks the balance rows it touches (SELECT ... FOR UPDATE, in sorted
order) before reading them, so two clients taking the last tonnes queue instead of both
succeeding; the CHECK (balance_g >= 0) constraint backs this up.
"""

from __future__ import annotations

from services.permits.adapters import repository as registry_repo
from services.permits.adapters import rights_repository as rights_repo
from services.permits.domain import events as ev
from services.permits.domain import rights as rules
from services.permits.domain.rights import RESERVE, Entry, EntryKind, Position
from services.permits.domain.values import Actor
from services.permits.service_layer.unit_of_work import Deps, Tx, transaction
from shared import paging
from shared.db import is_postgres
from shared.errors import FailedPrecondition, InvalidArgument, NotFound
from shared.uscc import validate_uscc


def _require_reason(actor: Actor) -> None:
    if not actor.reason:
        raise InvalidArgument("actor.reason", "required: every ledger movement records why")


def _require_cap(tx: Tx, pollutant: str) -> None:
    if rights_repo.get_cap(tx.conn, pollutant=pollutant) is None:
        raise FailedPrecondition(f"no city cap is set for {pollutant}; set one first")


def _short(holder: str, have: int, want: int, pollutant: str) -> FailedPrecondition:
    who = "the reserve" if holder == RESERVE else f"enterprise {holder}"
    return FailedPrecondition(
        f"{who} holds {rules.to_tonnes(have)} t/a of {pollutant}, "
        f"less than the {rules.to_tonnes(want)} t/a asked"
    )


def set_cap(deps: Deps, *, pollutant: str, cap_tonnes: float, actor: Actor) -> Position:
    """Set or change a pollutant's city cap; the change is added to (or taken from) the reserve.

    A first cap starts from 0, so it is the same movement as a change: all of it goes to the reserve.
    RightsCapSet is keyed by the pollutant code, since a cap concerns no one enterprise.
    """
    code = rules.pollutant(pollutant)
    cap = rules.to_grams("cap_tonnes", cap_tonnes, allow_zero=True)
    _require_reason(actor)
    with transaction(deps) as tx:
        current = rights_repo.lock_cap(tx.conn, pollutant=code)
        reserve = rights_repo.lock_balances(tx.conn, pollutant=code, holders=[RESERVE])[RESERVE]
        delta = cap - current
        if reserve + delta < 0:
            raise FailedPrecondition(
                f"lowering the {code} cap by {rules.to_tonnes(-delta)} t/a needs that much in reserve, "
                f"which holds {rules.to_tonnes(reserve)} t/a; recall allocations first"
            )
        rights_repo.update_cap(tx.conn, pollutant=code, cap_g=cap)
        rights_repo.add_to_balance(tx.conn, pollutant=code, holder=RESERVE, delta_g=delta)
        rights_repo.add_entry(
            tx.conn,
            kind=EntryKind.CAP_SET,
            pollutant=code,
            from_holder="",
            to_holder=RESERVE,
            grams=delta,
            actor=actor,
            at=tx.now,
        )
        position = rights_repo.position(tx.conn, pollutant=code)
        assert position is not None  # the cap row was locked above
        tx.publish(
            code,
            ev.RightsCapSet(position, actor),
        )
    return position


def _move(
    tx: Tx, *, kind: EntryKind, code: str, source: str, target: str, grams: int, actor: Actor
) -> tuple[Entry, dict[str, int]]:
    """Move grams from source to target under row locks; returns the entry and the balances after."""
    _require_cap(tx, code)
    balances = rights_repo.lock_balances(tx.conn, pollutant=code, holders=[source, target])
    if balances[source] < grams:
        raise _short(source, balances[source], grams, code)
    rights_repo.add_to_balance(tx.conn, pollutant=code, holder=source, delta_g=-grams)
    rights_repo.add_to_balance(tx.conn, pollutant=code, holder=target, delta_g=grams)
    entry = rights_repo.add_entry(
        tx.conn,
        kind=kind,
        pollutant=code,
        from_holder=source,
        to_holder=target,
        grams=grams,
        actor=actor,
        at=tx.now,
    )
    return entry, {source: balances[source] - grams, target: balances[target] + grams}


def allocate(deps: Deps, *, pollutant: str, uscc: str, tonnes: float, actor: Actor) -> Entry:
    """Reserve -> enterprise; RightsAllocated."""
    code, holder, grams = rules.pollutant(pollutant), validate_uscc(uscc), rules.to_grams("tonnes", tonnes)
    _require_reason(actor)
    with transaction(deps) as tx:
        registry_repo.get_or_raise(tx.conn, uscc=holder)
        entry, after = _move(
            tx, kind=EntryKind.ALLOCATION, code=code, source=RESERVE, target=holder, grams=grams, actor=actor
        )
        tx.publish(
            holder,
            ev.RightsAllocated(entry, reserve_after_g=after[RESERVE], holding_after_g=after[holder]),
        )
    return entry


def transfer(
    deps: Deps, *, pollutant: str, from_uscc: str, to_uscc: str, tonnes: float, actor: Actor
) -> Entry:
    """Enterprise -> enterprise; RightsTransferred (keyed by the seller)."""
    code, grams = rules.pollutant(pollutant), rules.to_grams("tonnes", tonnes)
    seller, buyer = validate_uscc(from_uscc), validate_uscc(to_uscc)
    if seller == buyer:
        raise InvalidArgument("to_uscc", "must differ from from_uscc")
    _require_reason(actor)
    with transaction(deps) as tx:
        for who in (seller, buyer):
            registry_repo.get_or_raise(tx.conn, uscc=who)
        entry, after = _move(
            tx, kind=EntryKind.TRANSFER, code=code, source=seller, target=buyer, grams=grams, actor=actor
        )
        tx.publish(
            seller,
            ev.RightsTransferred(entry, from_holding_after_g=after[seller], to_holding_after_g=after[buyer]),
        )
    return entry


def return_to_reserve(deps: Deps, *, pollutant: str, uscc: str, tonnes: float, actor: Actor) -> Entry:
    """Enterprise -> reserve; RightsReturned."""
    code, holder, grams = rules.pollutant(pollutant), validate_uscc(uscc), rules.to_grams("tonnes", tonnes)
    _require_reason(actor)
    with transaction(deps) as tx:
        registry_repo.get_or_raise(tx.conn, uscc=holder)
        entry, after = _move(
            tx, kind=EntryKind.RETURN, code=code, source=holder, target=RESERVE, grams=grams, actor=actor
        )
        tx.publish(
            holder,
            ev.RightsReturned(entry, reserve_after_g=after[RESERVE], holding_after_g=after[holder]),
        )
    return entry


def position(deps: Deps, *, pollutant: str) -> Position:
    """Cap, reserve and holdings of one pollutant (NOT_FOUND before a cap is set)."""
    code = rules.pollutant(pollutant)
    with deps.engine.connect() as conn:
        if is_postgres(conn):
            # Cap and balances are two reads: one snapshot keeps them consistent with each other.
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        found = rights_repo.position(conn, pollutant=code)
    if found is None:
        raise NotFound("rights cap", code)
    return found


def entries(
    deps: Deps, *, pollutant: str = "", uscc: str = "", page_size: int = 0, page_token: str = ""
) -> paging.Page[Entry]:
    """Ledger entries, newest first."""
    code = rules.pollutant(pollutant) if pollutant else ""
    holder = validate_uscc(uscc) if uscc else ""
    with deps.engine.connect() as conn:
        return rights_repo.get_entries(
            conn, pollutant=code, holder=holder, page_size=page_size, page_token=page_token
        )
