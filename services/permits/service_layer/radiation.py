"""Use cases of radiation-safety permits and the holding-rate KPI."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from services.permits.adapters import radiation_repository as radiation_repo
from services.permits.adapters import repository as registry_repo
from services.permits.domain import events as ev
from services.permits.domain import radiation as rules
from services.permits.domain.enterprise import RiskFlag
from services.permits.domain.radiation import HoldingRate, RadiationPermit, RadiationPermitStatus
from services.permits.domain.values import Actor, identifier, text, valid_from_in_force
from services.permits.service_layer.unit_of_work import Deps, transaction
from shared import china_time, paging
from shared.errors import FailedPrecondition, InvalidArgument
from shared.uscc import validate_uscc


def issue(
    deps: Deps, *, uscc: str, permit_number: str, scope: str, valid_from: date | None, actor: Actor
) -> RadiationPermit:
    """Issue a 5-year radiation permit to an enterprise flagged with radiation sources."""
    code = validate_uscc(uscc)
    scope = text("scope", scope, max_len=500, free_text=True)
    number = text("permit_number", permit_number, required=False, max_len=60).upper()
    with transaction(deps) as tx:
        # Locking the enterprise serialises its permit numbering and orders this issue against an
        # update that would clear the radiation flag.
        enterprise = registry_repo.get_or_raise(tx.conn, uscc=code, for_update=True)
        if RiskFlag.RADIATION_SOURCES not in enterprise.fields.risk_flags:
            raise FailedPrecondition(
                f"enterprise {code} is not flagged as holding radiation sources; update its risk flags first"
            )
        start, until = rules.term(valid_from_in_force(valid_from or tx.today, tx.today))
        if until < tx.today:
            raise InvalidArgument(
                "valid_from", f"a term from {start} would have ended on {until}, before today"
            )
        number = number or f"{code}-R{radiation_repo.count_for(tx.conn, uscc=code) + 1:02d}"
        permit = RadiationPermit(number, code, RadiationPermitStatus.ISSUED, scope, start, until, 0, actor)
        radiation_repo.create(tx.conn, permit_in=permit, now=tx.now)
        tx.publish(code, ev.RadiationPermitIssued(permit))
    return permit


def renew(deps: Deps, *, permit_number: str, actor: Actor) -> RadiationPermit:
    """Another 5-year term for a valid permit inside its 30-day renewal window; RadiationPermitRenewed."""
    number = identifier("permit_number", permit_number)
    with transaction(deps) as tx:
        permit = radiation_repo.get_or_raise(tx.conn, permit_number=number, for_update=True)
        rules.check_renewable(permit, tx.today)
        start, until = rules.term(permit.valid_until + timedelta(days=1))
        radiation_repo.update(
            tx.conn,
            permit_number=number,
            from_statuses=rules.VALID,
            status=RadiationPermitStatus.RENEWED,
            now=tx.now,
            actor=actor,
            valid_from=start,
            valid_until=until,
            renewals=permit.renewals + 1,
        )
        radiation_repo.add_term(tx.conn, permit_number=number, valid_from=start, valid_until=until)
        renewed = replace(
            permit,
            status=RadiationPermitStatus.RENEWED,
            valid_from=start,
            valid_until=until,
            renewals=permit.renewals + 1,
            last_action=actor,
        )
        tx.publish(renewed.uscc, ev.RadiationPermitRenewed(renewed))
    return renewed


def get(deps: Deps, *, permit_number: str) -> RadiationPermit:
    """One radiation permit, or NOT_FOUND."""
    number = identifier("permit_number", permit_number)
    with deps.engine.connect() as conn:
        return radiation_repo.get_or_raise(conn, permit_number=number)


def get_all(
    deps: Deps,
    *,
    uscc: str = "",
    status: RadiationPermitStatus | None = None,
    page_size: int = 0,
    page_token: str = "",
) -> paging.Page[RadiationPermit]:
    """Radiation permits by enterprise and state."""
    code = validate_uscc(uscc) if uscc else ""
    with deps.engine.connect() as conn:
        return radiation_repo.get_all(
            conn, uscc=code, status=status, page_size=page_size, page_token=page_token
        )


def holding_rate(deps: Deps, *, at: date | None) -> HoldingRate:
    """Flagged enterprises holding a valid permit / flagged enterprises, on a date (default today)."""
    day = at or china_time.local_day(deps.clock.now())
    with deps.engine.connect() as conn:
        flagged = registry_repo.flagged_on(conn, flag=RiskFlag.RADIATION_SOURCES, at=day)
        holders = radiation_repo.holders_on(conn, at=day)
    return rules.holding_rate(day, flagged, holders)
