"""Queries of hazardous-waste manifests and disused radioactive sources."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.risk.adapters.tables import disused_sources, manifests
from services.risk.domain.manifests import Manifest, ManifestStep, StepRecord
from services.risk.domain.radioactive import DisposalRoute, DisusedSource, Kind
from shared import paging
from shared.errors import NotFound


def _values(m: Manifest) -> dict[str, Any]:
    return dict(
        producer_uscc=m.producer_uscc,
        waste_code=m.waste_code,
        waste_name=m.waste_name,
        receiver=m.receiver,
        deadline=m.deadline,
        run_id=m.run_id,
        status=int(m.status),
        steps=[
            {"step": int(s.step), "quantity_kg": s.quantity_kg, "at": s.at.isoformat(), "by": s.by}
            for s in m.steps
        ],
        mismatch_announced=[int(s) for s in m.mismatch_announced],
        stuck_announced=m.stuck_announced,
    )


def _manifest(row: Any) -> Manifest:
    return Manifest(
        manifest_id=row.manifest_id,
        producer_uscc=row.producer_uscc,
        waste_code=row.waste_code,
        waste_name=row.waste_name,
        receiver=row.receiver,
        deadline=row.deadline,
        steps=tuple(
            StepRecord(ManifestStep(s["step"]), s["quantity_kg"], datetime.fromisoformat(s["at"]), s["by"])
            for s in row.steps
        ),
        run_id=row.run_id,
        mismatch_announced=tuple(ManifestStep(s) for s in row.mismatch_announced),
        stuck_announced=row.stuck_announced,
    )


def create(conn: Connection, *, manifest_in: Manifest) -> None:
    """Insert a manifest."""
    conn.execute(manifests.insert().values(manifest_id=manifest_in.manifest_id, **_values(manifest_in)))


def update(conn: Connection, *, manifest_in: Manifest) -> None:
    """Write a manifest's new state."""
    conn.execute(
        manifests.update()
        .where(manifests.c.manifest_id == manifest_in.manifest_id)
        .values(**_values(manifest_in))
    )


def get_or_raise(conn: Connection, *, manifest_id: str, for_update: bool = False) -> Manifest:
    """One manifest, or NOT_FOUND."""
    query = sa.select(manifests).where(manifests.c.manifest_id == manifest_id)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    if row is None:
        raise NotFound("manifest", manifest_id)
    return _manifest(row)


def get_all(
    conn: Connection,
    *,
    producer_uscc: str,
    run_id: str,
    statuses: list[ManifestStep],
    page_size: int,
    page_token: str,
) -> paging.Page[Manifest]:
    """Manifests by filters, by id."""
    size = paging.page_size(page_size)
    where: list[Any] = []
    if producer_uscc:
        where.append(manifests.c.producer_uscc == producer_uscc)
    if run_id:
        where.append(manifests.c.run_id == run_id)
    if statuses:
        where.append(manifests.c.status.in_([int(s) for s in statuses]))
    total = conn.execute(sa.select(sa.func.count()).select_from(manifests).where(*where)).scalar_one()
    after = paging.decode(page_token)
    if after:
        where.append(manifests.c.manifest_id > after)
    rows = conn.execute(
        sa.select(manifests).where(*where).order_by(manifests.c.manifest_id).limit(size + 1)
    ).all()
    return paging.slice_page([_manifest(r) for r in rows], size, lambda m: m.manifest_id, total)


def of_run(conn: Connection, *, run_id: str) -> list[Manifest]:
    """Every manifest of a collection run."""
    rows = conn.execute(sa.select(manifests).where(manifests.c.run_id == run_id)).all()
    return [_manifest(r) for r in rows]


def stuck_candidates(conn: Connection, *, now: datetime, limit: int = 200) -> list[str]:
    """Ids of manifests past their deadline, not disposed, not announced stuck."""
    rows = conn.execute(
        sa.select(manifests.c.manifest_id)
        .where(
            manifests.c.deadline <= now,
            manifests.c.status != int(ManifestStep.DISPOSED),
            manifests.c.stuck_announced.is_(False),
        )
        .order_by(manifests.c.deadline, manifests.c.manifest_id)
        .limit(limit)
    )
    return list(rows.scalars())


# ------------------------------------------------------------------------------------- sources
def _source_values(s: DisusedSource) -> dict[str, Any]:
    return dict(
        uscc=s.uscc,
        kind=s.kind.value,
        nuclide=s.nuclide,
        category=s.category,
        serial=s.serial,
        disused_on=s.disused_on,
        disposed_on=s.disposed_on,
        route=s.route.value if s.route else None,
        receiver=s.receiver,
        certificate_ref=s.certificate_ref,
    )


def _source(row: Any) -> DisusedSource:
    return DisusedSource(
        source_id=row.source_id,
        uscc=row.uscc,
        kind=Kind(row.kind),
        nuclide=row.nuclide,
        category=row.category,
        serial=row.serial,
        disused_on=row.disused_on,
        disposed_on=row.disposed_on,
        route=DisposalRoute(row.route) if row.route else None,
        receiver=row.receiver,
        certificate_ref=row.certificate_ref,
    )


def create_source(conn: Connection, *, source_in: DisusedSource) -> None:
    """Insert a disused source."""
    conn.execute(disused_sources.insert().values(source_id=source_in.source_id, **_source_values(source_in)))


def update_source(conn: Connection, *, source_in: DisusedSource) -> None:
    """Write a source's disposal."""
    conn.execute(
        disused_sources.update()
        .where(disused_sources.c.source_id == source_in.source_id)
        .values(**_source_values(source_in))
    )


def get_source_or_raise(conn: Connection, *, source_id: str, for_update: bool = False) -> DisusedSource:
    """One disused source, or NOT_FOUND."""
    query = sa.select(disused_sources).where(disused_sources.c.source_id == source_id)
    row = conn.execute(query.with_for_update() if for_update else query).first()
    if row is None:
        raise NotFound("disused source", source_id)
    return _source(row)


def get_sources(
    conn: Connection, *, uscc: str, undisposed_only: bool, page_size: int, page_token: str
) -> paging.Page[DisusedSource]:
    """Disused sources by filters, by id."""
    size = paging.page_size(page_size)
    where: list[Any] = []
    if uscc:
        where.append(disused_sources.c.uscc == uscc)
    if undisposed_only:
        where.append(disused_sources.c.disposed_on.is_(None))
    total = conn.execute(sa.select(sa.func.count()).select_from(disused_sources).where(*where)).scalar_one()
    after = paging.decode(page_token)
    if after:
        where.append(disused_sources.c.source_id > after)
    rows = conn.execute(
        sa.select(disused_sources).where(*where).order_by(disused_sources.c.source_id).limit(size + 1)
    ).all()
    return paging.slice_page([_source(r) for r in rows], size, lambda s: s.source_id, total)


def disused_by(conn: Connection, *, on: date) -> list[DisusedSource]:
    """Every source disused on or before a date (the rate's population)."""
    rows = conn.execute(sa.select(disused_sources).where(disused_sources.c.disused_on <= on)).all()
    return [_source(r) for r in rows]
