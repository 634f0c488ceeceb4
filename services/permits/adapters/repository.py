"""Queries of the enterprise registry: enterprises, their risk-flag history and outlets.

An enterprise's current risk flags are its open periods in risk_flag_periods (until IS NULL): one
copy of the truth, which the list filter and the holding-rate KPI both read.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.permits.adapters.tables import enterprises, outlets, risk_flag_periods
from services.permits.domain.enterprise import (
    Contact,
    Enterprise,
    EnterpriseFields,
    Outlet,
    OutletKind,
    PermitClass,
    RiskFlag,
)
from services.permits.domain.values import GeoPoint
from shared import paging
from shared.db import insert_if_absent
from shared.errors import AlreadyExists, NotFound


def _row_values(e: Enterprise) -> dict[str, Any]:
    f = e.fields
    return dict(
        name=f.name,
        legal_representative=f.legal_representative,
        contact_person=f.contact.person,
        contact_phone=f.contact.phone,
        contact_email=f.contact.email,
        industry_code=f.industry_code,
        address=f.address,
        town=f.town,
        grid=f.grid,
        lat=f.location.lat,
        lon=f.location.lon,
        permit_class=str(f.permit_class),
        updated_at=e.updated_at,
    )


def _current_flags(conn: Connection, usccs: list[str]) -> dict[str, frozenset[RiskFlag]]:
    """The open risk-flag periods of these enterprises, as flag sets."""
    if not usccs:
        return {}
    rows = conn.execute(
        sa.select(risk_flag_periods.c.uscc, risk_flag_periods.c.flag).where(
            risk_flag_periods.c.uscc.in_(usccs), risk_flag_periods.c.until.is_(None)
        )
    )
    found: dict[str, set[RiskFlag]] = {}
    for row in rows:
        found.setdefault(row.uscc, set()).add(RiskFlag(row.flag))
    return {uscc: frozenset(flags) for uscc, flags in found.items()}


def _enterprises(conn: Connection, rows: list[Any]) -> list[Enterprise]:
    flags = _current_flags(conn, [r.uscc for r in rows])
    return [_enterprise(r, flags.get(r.uscc, frozenset())) for r in rows]


def _enterprise(row: Any, flags: frozenset[RiskFlag]) -> Enterprise:
    fields = EnterpriseFields(
        name=row.name,
        legal_representative=row.legal_representative,
        industry_code=row.industry_code,
        address=row.address,
        town=row.town,
        grid=row.grid,
        location=GeoPoint(row.lat, row.lon),
        permit_class=PermitClass(row.permit_class),
        contact=Contact(row.contact_person, row.contact_phone, row.contact_email),
        risk_flags=flags,
    )
    return Enterprise(
        uscc=row.uscc, fields=fields, registered_at=row.registered_at, updated_at=row.updated_at
    )


def create(conn: Connection, *, enterprise_in: Enterprise, today: date) -> None:
    """Insert a new enterprise and open its risk-flag periods; ALREADY_EXISTS for a known USCC
    (also when another registration of the same USCC commits first)."""
    created = insert_if_absent(
        conn,
        enterprises,
        key=["uscc"],
        values=dict(
            uscc=enterprise_in.uscc, registered_at=enterprise_in.registered_at, **_row_values(enterprise_in)
        ),
    )
    if not created:
        raise AlreadyExists("enterprise", enterprise_in.uscc)
    for flag in sorted(enterprise_in.fields.risk_flags):
        conn.execute(risk_flag_periods.insert().values(uscc=enterprise_in.uscc, flag=str(flag), since=today))


def get(conn: Connection, *, uscc: str, for_update: bool = False) -> Enterprise | None:
    """The enterprise, optionally locking its row for the rest of the transaction."""
    query = sa.select(enterprises).where(enterprises.c.uscc == uscc)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _enterprises(conn, [row])[0] if row else None


def get_or_raise(conn: Connection, *, uscc: str, for_update: bool = False) -> Enterprise:
    """The enterprise, or NOT_FOUND."""
    enterprise = get(conn, uscc=uscc, for_update=for_update)
    if enterprise is None:
        raise NotFound("enterprise", uscc)
    return enterprise


def update(
    conn: Connection, *, enterprise_in: Enterprise, previous_flags: frozenset[RiskFlag], today: date
) -> None:
    """Write the new fields and close/open risk-flag periods for flags that changed."""
    conn.execute(
        sa.update(enterprises)
        .where(enterprises.c.uscc == enterprise_in.uscc)
        .values(**_row_values(enterprise_in))
    )
    flags = enterprise_in.fields.risk_flags
    for flag in sorted(previous_flags - flags):
        conn.execute(
            sa.update(risk_flag_periods)
            .where(
                risk_flag_periods.c.uscc == enterprise_in.uscc,
                risk_flag_periods.c.flag == str(flag),
                risk_flag_periods.c.until.is_(None),
            )
            .values(until=today)
        )
    for flag in sorted(flags - previous_flags):
        conn.execute(risk_flag_periods.insert().values(uscc=enterprise_in.uscc, flag=str(flag), since=today))


def get_all(
    conn: Connection,
    *,
    town: str = "",
    industry_prefix: str = "",
    flag: RiskFlag | None = None,
    permit_class: PermitClass | None = None,
    page_size: int = 0,
    page_token: str = "",
) -> paging.Page[Enterprise]:
    """Enterprises matching every given filter, ordered by USCC."""
    conditions = []
    if town:
        conditions.append(enterprises.c.town == town)
    if industry_prefix:
        conditions.append(enterprises.c.industry_code.startswith(industry_prefix, autoescape=True))
    if flag is not None:
        conditions.append(
            sa.exists().where(
                risk_flag_periods.c.uscc == enterprises.c.uscc,
                risk_flag_periods.c.flag == str(flag),
                risk_flag_periods.c.until.is_(None),
            )
        )
    if permit_class is not None:
        conditions.append(enterprises.c.permit_class == str(permit_class))
    size = paging.page_size(page_size)
    after = paging.decode(page_token)
    total = conn.execute(sa.select(sa.func.count()).select_from(enterprises).where(*conditions)).scalar_one()
    query = sa.select(enterprises).where(*conditions).order_by(enterprises.c.uscc).limit(size + 1)
    if after is not None:
        query = query.where(enterprises.c.uscc > after)
    rows = conn.execute(query).all()
    items = _enterprises(conn, list(rows[:size]))
    next_token = paging.encode(items[-1].uscc) if len(rows) > size else ""
    return paging.Page(items, next_token, int(total))


def flagged_on(conn: Connection, *, flag: RiskFlag, at: date) -> set[str]:
    """USCCs that carried a risk flag on a date."""
    query = sa.select(risk_flag_periods.c.uscc).where(
        risk_flag_periods.c.flag == str(flag),
        risk_flag_periods.c.since <= at,
        sa.or_(risk_flag_periods.c.until.is_(None), risk_flag_periods.c.until > at),
    )
    return set(conn.execute(query).scalars())


# ---- outlets ---------------------------------------------------------------------------------


def _outlet(row: Any) -> Outlet:
    return Outlet(
        outlet_id=row.outlet_id,
        uscc=row.uscc,
        kind=OutletKind(row.kind),
        name=row.name,
        location=GeoPoint(row.lat, row.lon),
        receiving_river=row.receiving_river,
        monitored_pollutants=tuple(row.monitored_pollutants),
        added_at=row.added_at,
    )


def count_outlets(conn: Connection, *, uscc: str, kind: OutletKind) -> int:
    """How many outlets of a kind the enterprise has (the next one's sequence is this + 1)."""
    query = sa.select(sa.func.count()).where(outlets.c.uscc == uscc, outlets.c.kind == str(kind))
    return int(conn.execute(query).scalar_one())


def create_outlet(conn: Connection, *, outlet_in: Outlet) -> None:
    """Insert an outlet."""
    conn.execute(
        outlets.insert().values(
            outlet_id=outlet_in.outlet_id,
            uscc=outlet_in.uscc,
            kind=str(outlet_in.kind),
            name=outlet_in.name,
            lat=outlet_in.location.lat,
            lon=outlet_in.location.lon,
            receiving_river=outlet_in.receiving_river,
            monitored_pollutants=list(outlet_in.monitored_pollutants),
            added_at=outlet_in.added_at,
        )
    )


def get_outlets(conn: Connection, *, uscc: str) -> list[Outlet]:
    """The enterprise's outlets, in id order."""
    rows = conn.execute(sa.select(outlets).where(outlets.c.uscc == uscc).order_by(outlets.c.outlet_id))
    return [_outlet(r) for r in rows]
