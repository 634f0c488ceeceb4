"""Use cases of the enterprise registry and outlets."""

from __future__ import annotations

from dataclasses import dataclass, replace

from services.permits.adapters import eia_repository as eia_repo
from services.permits.adapters import permit_repository as permit_repo
from services.permits.adapters import radiation_repository as radiation_repo
from services.permits.adapters import repository as registry_repo
from services.permits.adapters import rights_repository as rights_repo
from services.permits.domain import enterprise as rules
from services.permits.domain import events as ev
from services.permits.domain.eia import EiaApplication
from services.permits.domain.enterprise import (
    Enterprise,
    EnterpriseFields,
    Outlet,
    OutletKind,
    PermitClass,
    RiskFlag,
)
from services.permits.domain.permit import LIVE, Permit
from services.permits.domain.radiation import RadiationPermit
from services.permits.domain.values import GeoPoint, text
from services.permits.service_layer.unit_of_work import Deps, Tx, transaction
from shared import paging
from shared.errors import InvalidArgument
from shared.uscc import validate_uscc


def register(deps: Deps, *, uscc: str, fields_in: EnterpriseFields) -> Enterprise:
    """Register an enterprise and announce it (EnterpriseRegistered)."""
    with transaction(deps) as tx:
        enterprise = rules.new_enterprise(uscc, fields_in, tx.now)
        registry_repo.create(tx.conn, enterprise_in=enterprise, today=tx.today)
        tx.publish(enterprise.uscc, ev.EnterpriseRegistered(enterprise))
    return enterprise


def _check_against_permits(tx: Tx, current: Enterprise, fields: EnterpriseFields) -> None:
    """FAILED_PRECONDITION if the new fields contradict a permit the enterprise holds.

    The caller holds the enterprise's row lock, which ApplyPermit and IssueRadiationPermit also
    take, so no permit can appear between this check and the update's commit.
    """
    live = permit_repo.live_for(tx.conn, uscc=current.uscc, statuses=LIVE)
    radiation = radiation_repo.valid_for(tx.conn, uscc=current.uscc, on=tx.today)
    rules.check_update_allowed(
        current.uscc,
        current.fields,
        fields,
        live_permit=f"{live[0].permit_number} ({live[0].status})" if live else None,
        valid_radiation_permit=(
            f"{radiation[0].permit_number} (valid until {radiation[0].valid_until})" if radiation else None
        ),
    )


def update(deps: Deps, *, uscc: str, fields_in: EnterpriseFields, paths: list[str]) -> Enterprise:
    """Change the masked fields and announce the new summary (EnterpriseUpdated); refused when the
    change would contradict a permit the enterprise holds."""
    code = validate_uscc(uscc)
    with transaction(deps) as tx:
        current = registry_repo.get_or_raise(tx.conn, uscc=code, for_update=True)
        fields = rules.merge(current.fields, fields_in, paths)
        _check_against_permits(tx, current, fields)
        updated = replace(current, fields=fields, updated_at=tx.now)
        registry_repo.update(
            tx.conn, enterprise_in=updated, previous_flags=current.fields.risk_flags, today=tx.today
        )
        tx.publish(code, ev.EnterpriseUpdated(updated, changed_fields=tuple(sorted(set(paths)))))
    return updated


def get(deps: Deps, *, uscc: str) -> Enterprise:
    """One enterprise, or NOT_FOUND."""
    code = validate_uscc(uscc)
    with deps.engine.connect() as conn:
        return registry_repo.get_or_raise(conn, uscc=code)


def get_all(
    deps: Deps,
    *,
    town: str = "",
    industry_prefix: str = "",
    flag: RiskFlag | None = None,
    permit_class: PermitClass | None = None,
    page_size: int = 0,
    page_token: str = "",
) -> paging.Page[Enterprise]:
    """Enterprises matching the filters, a page at a time."""
    with deps.engine.connect() as conn:
        return registry_repo.get_all(
            conn,
            town=text("town", town, required=False, max_len=100),
            industry_prefix=text("industry_code", industry_prefix, required=False, max_len=20).upper(),
            flag=flag,
            permit_class=permit_class,
            page_size=page_size,
            page_token=page_token,
        )


def add_outlet(
    deps: Deps,
    *,
    uscc: str,
    kind: OutletKind | None,
    name: str,
    location: GeoPoint,
    receiving_river: str,
    pollutants: list[str],
) -> Outlet:
    """Add an outlet with the next id of its kind and announce it (OutletAdded)."""
    code = validate_uscc(uscc)
    if kind is None:
        raise InvalidArgument("kind", "required: wastewater or waste gas")
    name, point, river, codes = rules.validate_outlet(kind, name, location, receiving_river, pollutants)
    with transaction(deps) as tx:
        # Locking the enterprise row serialises outlet numbering per enterprise.
        registry_repo.get_or_raise(tx.conn, uscc=code, for_update=True)
        sequence = registry_repo.count_outlets(tx.conn, uscc=code, kind=kind) + 1
        outlet = Outlet(rules.outlet_id(code, kind, sequence), code, kind, name, point, river, codes, tx.now)
        registry_repo.create_outlet(tx.conn, outlet_in=outlet)
        tx.publish(code, ev.OutletAdded(outlet))
    return outlet


def get_outlets(deps: Deps, *, uscc: str) -> list[Outlet]:
    """The enterprise's outlets (NOT_FOUND for an unknown enterprise)."""
    code = validate_uscc(uscc)
    with deps.engine.connect() as conn:
        registry_repo.get_or_raise(conn, uscc=code)
        return registry_repo.get_outlets(conn, uscc=code)


@dataclass(frozen=True)
class Record:
    """Everything permits holds on one enterprise (its part of 一企一档)."""

    enterprise: Enterprise
    outlets: list[Outlet]
    permits: list[Permit]
    eia_applications: list[EiaApplication]
    radiation_permits: list[RadiationPermit]
    holdings: dict[str, int]


def record(deps: Deps, *, uscc: str) -> Record:
    """The enterprise's full record as permits knows it; at most the first 500 (one maximum page)
    permits, EIA applications and radiation permits, as the contract's EnterpriseRecord says."""
    code = validate_uscc(uscc)
    with deps.engine.connect() as conn:
        enterprise = registry_repo.get_or_raise(conn, uscc=code)
        return Record(
            enterprise=enterprise,
            outlets=registry_repo.get_outlets(conn, uscc=code),
            permits=permit_repo.get_all(conn, uscc=code, page_size=paging.MAX_PAGE_SIZE).items,
            eia_applications=eia_repo.get_all(conn, uscc=code, page_size=paging.MAX_PAGE_SIZE).items,
            radiation_permits=radiation_repo.get_all(conn, uscc=code, page_size=paging.MAX_PAGE_SIZE).items,
            holdings=rights_repo.holdings_of(conn, uscc=code),
        )
