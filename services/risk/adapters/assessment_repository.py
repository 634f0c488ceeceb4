"""Queries of assessments, enterprise risk rows, the registry read model and score signals."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.risk.adapters.tables import assessments, enterprise_risk, enterprises, hazards, risk_signals
from services.risk.domain import classification as cls
from services.risk.domain.records import Assessment, AssessmentSource, Enterprise
from services.risk.domain.score import Event, Signal
from services.risk.domain.values import Actor, GeoPoint, RiskLevel
from shared import paging
from shared.db import insert_if_absent, upsert_insert
from shared.errors import NotFound


def inputs_json(inp: cls.AssessmentInput) -> dict[str, Any]:
    """An assessment's inputs as stored."""
    return {
        "holdings_t": dict(inp.holdings_t),
        "air_process": asdict(inp.air_process),
        "water_process": asdict(inp.water_process),
        "air_receptors": asdict(inp.air_receptors),
        "water_receptor": inp.water_receptor.value,
        "penalised_within_3_years": inp.penalised_within_3_years,
    }


def inputs_from(raw: dict[str, Any]) -> cls.AssessmentInput:
    """Stored inputs back as the domain's value."""
    return cls.AssessmentInput(
        holdings_t=raw["holdings_t"],
        air_process=cls.ProcessAndControls(**raw["air_process"]),
        water_process=cls.ProcessAndControls(**raw["water_process"]),
        air_receptors=cls.AirReceptors(**raw["air_receptors"]),
        water_receptor=cls.WaterReceptor(raw["water_receptor"]),
        penalised_within_3_years=raw["penalised_within_3_years"],
    )


def create(conn: Connection, *, assessment_in: Assessment) -> None:
    """Insert an assessment."""
    a = assessment_in
    conn.execute(
        assessments.insert().values(
            assessment_id=a.assessment_id,
            uscc=a.uscc,
            level=int(a.classification.level),
            code=a.classification.code,
            source=a.source.value,
            assessed_on=a.assessed_on,
            review_by=a.review_by,
            document_ref=a.document_ref,
            assessor_department=a.assessor.department,
            assessor_user=a.assessor.user,
            assessor_reason=a.assessor.reason,
            recorded_at=a.recorded_at,
            inputs=inputs_json(a.inputs),
        )
    )


def _assessment(row: Any) -> Assessment:
    inputs = inputs_from(row.inputs)
    return Assessment(
        assessment_id=row.assessment_id,
        uscc=row.uscc,
        classification=cls.classify(inputs),
        inputs=inputs,
        source=AssessmentSource(row.source),
        assessed_on=row.assessed_on,
        review_by=row.review_by,
        document_ref=row.document_ref,
        assessor=Actor(row.assessor_department, row.assessor_user, row.assessor_reason),
        recorded_at=row.recorded_at,
    )


def get(conn: Connection, *, assessment_id: str) -> Assessment | None:
    """One assessment."""
    row = conn.execute(sa.select(assessments).where(assessments.c.assessment_id == assessment_id)).first()
    return _assessment(row) if row else None


def get_all(conn: Connection, *, uscc: str, page_size: int, page_token: str) -> paging.Page[Assessment]:
    """Assessments by id (descending), a page at a time."""
    size = paging.page_size(page_size)
    where = [assessments.c.uscc == uscc] if uscc else []
    total = conn.execute(sa.select(sa.func.count()).select_from(assessments).where(*where)).scalar_one()
    query = sa.select(assessments).where(*where)
    after = paging.decode(page_token)
    if after:
        query = query.where(assessments.c.assessment_id < after)
    rows = conn.execute(query.order_by(assessments.c.assessment_id.desc()).limit(size + 1)).all()
    return paging.slice_page([_assessment(r) for r in rows], size, lambda a: a.assessment_id, total)


# ------------------------------------------------------------------------------- enterprise risk
def risk_row(conn: Connection, *, uscc: str, for_update: bool = False) -> Any:
    """The enterprise's risk row (None if it has none yet)."""
    query = sa.select(enterprise_risk).where(enterprise_risk.c.uscc == uscc)
    return conn.execute(query.with_for_update() if for_update else query).first()


def lock_enterprise(conn: Connection, *, uscc: str, town: str, now: datetime) -> Any:
    """The enterprise's risk row, created if missing, locked: every change of an enterprise's level
    goes through this lock, so two changes never both compare against the same old level."""
    insert_if_absent(conn, enterprise_risk, key=["uscc"], values=dict(uscc=uscc, town=town, updated_at=now))
    return risk_row(conn, uscc=uscc, for_update=True)


def save_risk(conn: Connection, *, uscc: str, values: dict[str, Any]) -> None:
    """Update the enterprise's risk row."""
    conn.execute(enterprise_risk.update().where(enterprise_risk.c.uscc == uscc).values(**values))


def level_of(value: int | None) -> RiskLevel | None:
    """A stored level."""
    return RiskLevel(value) if value else None


def risk_rows(
    conn: Connection, *, levels: list[int], town: str, overdue_only: bool, page_size: int, page_token: str
) -> paging.Page[Any]:
    """Enterprise risk rows by filters, by USCC."""
    size = paging.page_size(page_size)
    where: list[Any] = [enterprise_risk.c.level.is_not(None)]
    if levels:
        where.append(enterprise_risk.c.level.in_(levels))
    if town:
        where.append(enterprise_risk.c.town == town)
    if overdue_only:
        overdue = sa.select(hazards.c.uscc).where(
            hazards.c.status == "open", hazards.c.lapsed_deadline.is_not(None)
        )
        where.append(enterprise_risk.c.uscc.in_(overdue))
    total = conn.execute(sa.select(sa.func.count()).select_from(enterprise_risk).where(*where)).scalar_one()
    after = paging.decode(page_token)
    if after:
        where.append(enterprise_risk.c.uscc > after)
    rows = conn.execute(
        sa.select(enterprise_risk).where(*where).order_by(enterprise_risk.c.uscc).limit(size + 1)
    ).all()
    return paging.slice_page(list(rows), size, lambda r: str(r.uscc), total)


# ------------------------------------------------------------------------------------ registry
def upsert_enterprise(conn: Connection, *, enterprise_in: Enterprise, now: datetime) -> None:
    """Record (or refresh) what the registry says of an enterprise."""
    e = enterprise_in
    values = dict(
        name=e.name,
        town=e.town,
        lat=e.location.lat if e.location else None,
        lon=e.location.lon if e.location else None,
        updated_at=now,
    )
    statement = upsert_insert(conn, enterprises).values(uscc=e.uscc, **values)
    conn.execute(statement.on_conflict_do_update(index_elements=["uscc"], set_=values))
    conn.execute(enterprise_risk.update().where(enterprise_risk.c.uscc == e.uscc).values(town=e.town))


def get_enterprise(conn: Connection, *, uscc: str) -> Enterprise | None:
    """The registry's entry, if risk has heard of the enterprise."""
    row = conn.execute(sa.select(enterprises).where(enterprises.c.uscc == uscc)).first()
    if row is None:
        return None
    location = GeoPoint(row.lat, row.lon) if row.lat is not None and row.lon is not None else None
    return Enterprise(row.uscc, row.name, row.town, location)


def get_enterprise_or_raise(conn: Connection, *, uscc: str) -> Enterprise:
    """The registry's entry, or NOT_FOUND."""
    found = get_enterprise(conn, uscc=uscc)
    if found is None:
        raise NotFound("enterprise", uscc)
    return found


# ------------------------------------------------------------------------------------- signals
def add_signal(conn: Connection, *, uscc: str, event: Event) -> bool:
    """Record a score signal once per (signal, ref); True if new."""
    return insert_if_absent(
        conn,
        risk_signals,
        key=["signal", "ref"],
        values=dict(
            signal=event.signal.value,
            ref=event.ref,
            uscc=uscc,
            at=event.at,
            ended_at=event.ended_at,
            note=event.note,
        ),
    )


def end_signal(conn: Connection, *, signal: Signal, ref: str, at: datetime) -> None:
    """Mark a lasting signal (an overdue hazard) ended."""
    conn.execute(
        risk_signals.update()
        .where(
            risk_signals.c.signal == signal.value,
            risk_signals.c.ref == ref,
            risk_signals.c.ended_at.is_(None),
        )
        .values(ended_at=at)
    )


def signals_of(conn: Connection, *, uscc: str) -> list[Event]:
    """The enterprise's score signals."""
    rows = conn.execute(sa.select(risk_signals).where(risk_signals.c.uscc == uscc)).all()
    return [Event(Signal(r.signal), r.at, r.ref, r.note, r.ended_at) for r in rows]
