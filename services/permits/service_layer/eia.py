"""Use cases of EIA approvals: accept (or file), start review, decide, read with deadlines."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

from services.permits.adapters import eia_repository as eia_repo
from services.permits.adapters import repository as registry_repo
from services.permits.domain import eia as rules
from services.permits.domain import events as ev
from services.permits.domain.eia import EiaApplication, EiaDocumentType, EiaStatus
from services.permits.domain.values import Actor, identifier, text
from services.permits.service_layer.unit_of_work import Deps, transaction
from shared import china_time, paging
from shared.errors import InvalidArgument
from shared.uscc import validate_uscc


def eia_id_of(raw: str) -> str:
    """An EIA id as typed: trimmed and upper-cased like permit numbers ("EIA-3F2A..."), required."""
    return identifier("eia_id", raw, max_len=40)


def today(deps: Deps) -> date:
    """The city's date by the injected clock (days left are counted from it)."""
    return china_time.local_day(deps.clock.now())


def accept(
    deps: Deps,
    *,
    uscc: str,
    project_name: str,
    document_type: EiaDocumentType | None,
    accepted_on: date | None,
    green_channel: bool,
    actor: Actor,
) -> EiaApplication:
    """Record an accepted application (a registration form is filed at once); EiaAccepted."""
    code = validate_uscc(uscc)
    name = rules.project_name(project_name)
    if document_type is None:
        raise InvalidArgument("document_type", "required: report, report form or registration form")
    with transaction(deps) as tx:
        registry_repo.get_or_raise(tx.conn, uscc=code)
        day = rules.check_accepted_on(accepted_on or tx.today, tx.today)
        application = EiaApplication(
            eia_id=f"EIA-{uuid.uuid4().hex[:12].upper()}",
            uscc=code,
            project_name=name,
            document_type=document_type,
            status=rules.initial_status(document_type),
            accepted_on=day,
            green_channel=green_channel,
            decided_on=None,
            decision_note="",
            last_action=actor,
        )
        eia_repo.create(tx.conn, eia_in=application, now=tx.now)
        tx.publish(code, ev.EiaAccepted(application, tx.today))
    return application


def start_review(deps: Deps, *, eia_id: str, actor: Actor) -> EiaApplication:
    """accepted -> under review."""
    eia_id = eia_id_of(eia_id)
    with transaction(deps) as tx:
        application = eia_repo.get_or_raise(tx.conn, eia_id=eia_id, for_update=True)
        status = rules.start_review(application)
        eia_repo.update(tx.conn, eia_id=eia_id, status=status, actor=actor)
    return replace(application, status=status, last_action=actor)


def decide(
    deps: Deps, *, eia_id: str, approved: bool, decided_on: date | None, note: str, actor: Actor
) -> EiaApplication:
    """under review -> approved / rejected; EiaDecided."""
    eia_id = eia_id_of(eia_id)
    note = text("note", note, required=not approved, max_len=2000, free_text=True)
    with transaction(deps) as tx:
        application = eia_repo.get_or_raise(tx.conn, eia_id=eia_id, for_update=True)
        status = rules.decide(application, approved)
        day = rules.check_decided_on(decided_on or tx.today, application.accepted_on, tx.today)
        eia_repo.update(
            tx.conn, eia_id=eia_id, status=status, actor=actor, decided_on=day, decision_note=note
        )
        decided = replace(application, status=status, decided_on=day, decision_note=note, last_action=actor)
        tx.publish(decided.uscc, ev.EiaDecided(decided, tx.today))
    return decided


def get(deps: Deps, *, eia_id: str) -> EiaApplication:
    """One application, or NOT_FOUND."""
    with deps.engine.connect() as conn:
        return eia_repo.get_or_raise(conn, eia_id=eia_id_of(eia_id))


def get_all(
    deps: Deps,
    *,
    uscc: str = "",
    status: EiaStatus | None = None,
    overdue_only: bool = False,
    page_size: int = 0,
    page_token: str = "",
) -> paging.Page[EiaApplication]:
    """Applications by enterprise and state; overdue_only keeps pending ones past their deadline."""
    code = validate_uscc(uscc) if uscc else ""
    with deps.engine.connect() as conn:
        return eia_repo.get_all(
            conn,
            uscc=code,
            status=status,
            overdue_on=today(deps) if overdue_only else None,
            page_size=page_size,
            page_token=page_token,
        )
