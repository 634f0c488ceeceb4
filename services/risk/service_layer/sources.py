"""Use cases of disused radioactive sources and the safe-disposal rate."""

from __future__ import annotations

import uuid
from datetime import date

from services.risk.adapters import manifest_repository as repo
from services.risk.domain import events as ev
from services.risk.domain import radioactive as rules
from services.risk.domain.radioactive import DisposalRate, DisposalRoute, DisusedSource, Kind
from services.risk.domain.values import text
from services.risk.service_layer.unit_of_work import Deps, transaction
from shared import paging
from shared.errors import InvalidArgument
from shared.uscc import validate_uscc


def record(
    deps: Deps,
    *,
    uscc: str,
    kind: Kind | None,
    nuclide: str,
    category: int,
    serial: str,
    disused_on: date | None,
) -> DisusedSource:
    """Record a disused source or waste batch (DisusedSourceChanged)."""
    code = validate_uscc(uscc, field="uscc")
    if kind is None:
        raise InvalidArgument("kind", "required: source or waste")
    with transaction(deps) as tx:
        source = rules.new_disused(
            source_id=str(uuid.uuid4()),
            uscc=code,
            kind=kind,
            nuclide=nuclide,
            category=category,
            serial=serial,
            disused_on=disused_on or tx.today,
            today=tx.today,
        )
        repo.create_source(tx.conn, source_in=source)
        tx.publish(code, ev.DisusedSourceChanged(source))
    return source


def dispose(
    deps: Deps,
    *,
    source_id: str,
    route: DisposalRoute | None,
    receiver: str,
    certificate_ref: str,
    on: date | None,
) -> DisusedSource:
    """The source went to safe disposal (DisusedSourceChanged)."""
    with transaction(deps) as tx:
        current = repo.get_source_or_raise(
            tx.conn, source_id=text("source_id", source_id, max_len=36), for_update=True
        )
        done = rules.dispose(
            current,
            route=route,
            receiver=receiver,
            certificate_ref=certificate_ref,
            on=on or tx.today,
            today=tx.today,
        )
        repo.update_source(tx.conn, source_in=done)
        tx.publish(done.uscc, ev.DisusedSourceChanged(done))
    return done


def get_all(
    deps: Deps, *, uscc: str, undisposed_only: bool, page_size: int, page_token: str
) -> paging.Page[DisusedSource]:
    """Disused sources by enterprise."""
    code = validate_uscc(uscc, field="uscc") if uscc else ""
    with deps.engine.connect() as conn:
        return repo.get_sources(
            conn, uscc=code, undisposed_only=undisposed_only, page_size=page_size, page_token=page_token
        )


def rate(deps: Deps, *, on: date | None) -> DisposalRate:
    """The safe-disposal rate at the end of a date (today by default)."""
    day = on or deps.today()
    with deps.engine.connect() as conn:
        return rules.disposal_rate(repo.disused_by(conn, on=day), day)
