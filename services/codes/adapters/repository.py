"""Queries on the code service's tables. Every function takes the caller's connection (transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.codes.adapters.tables import code_versions, codes, enterprise_status, scan_batches, scan_counts
from services.codes.domain.model import Code, CodeStatus, CodeVersion, VersionEnd
from services.codes.domain.status import CreditLevel, EnterpriseStatus, PermitState
from shared.db import insert_if_absent, upsert_insert
from shared.errors import NotFound


def _aware(when: datetime) -> datetime:
    # SQLite hands back naive datetimes even for timezone-aware columns; every time stored is UTC.
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def _maybe(when: datetime | None) -> datetime | None:
    return None if when is None else _aware(when)


def _code(row: sa.Row) -> Code:
    return Code(
        uscc=row.uscc,
        version=row.version,
        key_id=row.key_id,
        status=CodeStatus(row.status),
        issued_at=_aware(row.issued_at),
        revoked_at=_maybe(row.revoked_at),
        revoke_reason=row.revoke_reason,
    )


class CodeRepository:
    """Codes and their versions."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, *, uscc: str, for_update: bool = False) -> Code | None:
        """The enterprise's code, locked for the rest of the transaction when `for_update`."""
        query = sa.select(codes).where(codes.c.uscc == uscc)
        if for_update:
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        return _code(row) if row else None

    def get_or_raise(self, *, uscc: str, for_update: bool = False) -> Code:
        """The enterprise's code; NotFound if it has none."""
        code = self.get(uscc=uscc, for_update=for_update)
        if code is None:
            raise NotFound("code of enterprise", uscc)
        return code

    def get_all(self, *, usccs: Sequence[str]) -> dict[str, Code]:
        """The codes of the given enterprises that have one, by USCC."""
        rows = self.conn.execute(sa.select(codes).where(codes.c.uscc.in_(list(usccs)))).all()
        return {row.uscc: _code(row) for row in rows}

    def get_page(self, *, key_id: str, after: str, limit: int, active_only: bool = False) -> list[Code]:
        """Codes whose current version `key_id` signed, ordered by USCC, starting after `after`."""
        query = sa.select(codes).where(codes.c.key_id == key_id).order_by(codes.c.uscc).limit(limit)
        if after:
            query = query.where(codes.c.uscc > after)
        if active_only:
            query = query.where(codes.c.status == CodeStatus.ACTIVE.value)
        return [_code(row) for row in self.conn.execute(query).all()]

    def count(self, *, key_id: str) -> int:
        """How many codes' current versions `key_id` signed."""
        query = sa.select(sa.func.count()).select_from(codes).where(codes.c.key_id == key_id)
        return int(self.conn.execute(query).scalar_one())

    def get_version(self, *, uscc: str, version: int) -> CodeVersion | None:
        """One issued version of a code."""
        row = self.conn.execute(
            sa.select(code_versions).where(code_versions.c.uscc == uscc, code_versions.c.version == version)
        ).first()
        if row is None:
            return None
        return CodeVersion(
            uscc=row.uscc,
            version=row.version,
            key_id=row.key_id,
            issued_at=_aware(row.issued_at),
            end=VersionEnd(row.ended_by) if row.ended_by else None,
            ended_at=_maybe(row.ended_at),
        )

    def create(self, *, code_in: Code, reason: str = "") -> None:
        """Store a new code and its first version."""
        self.conn.execute(codes.insert().values(**_code_values(code_in)))
        self._add_version(code_in, reason)

    def update(self, *, code_in: Code, ended: VersionEnd | None, now: datetime, reason: str = "") -> None:
        """Store a changed code; end the previous current version (rotated/revoked, with `reason` as its
        end reason) and add the new one (with `reason` as its issue reason)."""
        previous = self.get_or_raise(uscc=code_in.uscc)
        self.conn.execute(
            sa.update(codes).where(codes.c.uscc == code_in.uscc).values(**_code_values(code_in))
        )
        if ended is not None:
            self.conn.execute(
                sa.update(code_versions)
                .where(
                    code_versions.c.uscc == code_in.uscc,
                    code_versions.c.version == previous.version,
                    code_versions.c.ended_by.is_(None),
                )
                .values(ended_by=ended.value, ended_at=now, end_reason=reason)
            )
        if code_in.version != previous.version:
            self._add_version(code_in, reason)

    def _add_version(self, code_in: Code, reason: str) -> None:
        self.conn.execute(
            code_versions.insert().values(
                uscc=code_in.uscc,
                version=code_in.version,
                key_id=code_in.key_id,
                issued_at=code_in.issued_at,
                reason=reason,
            )
        )


def _code_values(code: Code) -> dict[str, object]:
    values = asdict(code)
    values["status"] = code.status.value
    return values


class StatusRepository:
    """The public read model of enterprises."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, *, uscc: str) -> EnterpriseStatus | None:
        """An enterprise's public status, if any event about it has been seen."""
        row = self.conn.execute(sa.select(enterprise_status).where(enterprise_status.c.uscc == uscc)).first()
        return _status(row) if row else None

    def get_all(self, *, usccs: Sequence[str] = (), town: str = "") -> list[EnterpriseStatus]:
        """Statuses by USCC list or by town, ordered by name."""
        query = sa.select(enterprise_status).order_by(enterprise_status.c.name, enterprise_status.c.uscc)
        if usccs:
            query = query.where(enterprise_status.c.uscc.in_(list(usccs)))
        if town:
            query = query.where(enterprise_status.c.town == town)
        return [_status(row) for row in self.conn.execute(query).all()]

    def save(self, *, status_in: EnterpriseStatus) -> None:
        """Insert or replace an enterprise's status (row locked by the caller's transaction)."""
        values = asdict(status_in)
        values["credit_level"] = status_in.credit_level.value
        values["permit_state"] = status_in.permit_state.value
        updated = self.conn.execute(
            sa.update(enterprise_status).where(enterprise_status.c.uscc == status_in.uscc).values(**values)
        )
        if updated.rowcount == 0:
            self.conn.execute(enterprise_status.insert().values(**values))

    def lock(self, *, uscc: str) -> EnterpriseStatus:
        """The status row for update (created empty if absent), so two events for one enterprise serialise."""
        insert_if_absent(self.conn, enterprise_status, key=["uscc"], values={"uscc": uscc})
        query = sa.select(enterprise_status).where(enterprise_status.c.uscc == uscc).with_for_update()
        return _status(self.conn.execute(query).one())


def _status(row: sa.Row) -> EnterpriseStatus:
    return EnterpriseStatus(
        uscc=row.uscc,
        name=row.name,
        town=row.town,
        industry=row.industry,
        profile_as_of=_maybe(row.profile_as_of),
        credit_level=CreditLevel(row.credit_level),
        credit_as_of=_maybe(row.credit_as_of),
        permit_number=row.permit_number,
        permit_state=PermitState(row.permit_state),
        permit_class=row.permit_class,
        permit_valid_from=row.permit_valid_from,
        permit_valid_to=row.permit_valid_to,
        permit_as_of=_maybe(row.permit_as_of),
    )


class ScanLog:
    """Scan counts per enterprise and day."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def record(self, *, uscc: str, day: date, count: int = 1) -> None:
        """Add scans to the enterprise's count for the day (one atomic upsert, safe under concurrency)."""
        insert = upsert_insert(self.conn, scan_counts).values(uscc=uscc, day=day, count=count)
        self.conn.execute(
            insert.on_conflict_do_update(
                index_elements=[scan_counts.c.uscc, scan_counts.c.day],
                set_={"count": scan_counts.c.count + insert.excluded.count},
            )
        )

    def claim_batch(self, *, batch_id: str, at: datetime) -> bool:
        """True the first time a batch id is seen (in this transaction's view), False for a retry."""
        return insert_if_absent(
            self.conn, scan_batches, key=["batch_id"], values={"batch_id": batch_id, "recorded_at": at}
        )

    def get_all(self, *, uscc: str, first: date, last: date) -> list[tuple[str, date, int]]:
        """(uscc, day, count) rows in the period, for one enterprise or all."""
        query = (
            sa.select(scan_counts.c.uscc, scan_counts.c.day, scan_counts.c.count)
            .where(scan_counts.c.day >= first, scan_counts.c.day <= last)
            .order_by(scan_counts.c.day, scan_counts.c.uscc)
        )
        if uscc:
            query = query.where(scan_counts.c.uscc == uscc)
        return [(uscc_, day, int(count)) for uscc_, day, count in self.conn.execute(query).all()]
