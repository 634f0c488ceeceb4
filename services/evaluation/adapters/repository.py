"""Queries of evaluation's read model and credit repairs (SQLAlchemy Core, PostgreSQL and SQLite)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from services.evaluation.adapters.tables import (
    credit_history,
    credit_repairs,
    credits,
    facts,
    profiles,
    published_scorecards,
)
from services.evaluation.domain.credit import Rating, Reason
from services.evaluation.domain.facts import Fact
from services.evaluation.domain.history import Entry
from services.evaluation.domain.levels import Level
from services.evaluation.domain.profiles import Profile
from services.evaluation.domain.repair import Repair, RepairStatus
from shared import paging
from shared.db import insert_if_absent, upsert_insert
from shared.errors import NotFound


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _maybe(value: datetime | None) -> datetime | None:
    return _aware(value) if value is not None else None


# ---------------------------------------------------------------------------------------- facts


def add_fact(conn: Connection, *, fact_in: Fact) -> bool:
    """Store a fact unless its event id is known; True if this call stored it."""
    return insert_if_absent(
        conn,
        facts,
        key=["event_id"],
        values={
            "event_id": fact_in.event_id,
            "type": fact_in.type,
            "at": fact_in.at,
            "uscc": fact_in.uscc,
            "subject": fact_in.subject,
            "town": fact_in.town,
            "data": json.dumps(fact_in.data, sort_keys=True, ensure_ascii=False),
        },
    )


def _fact(row: Any) -> Fact:
    return Fact(row.event_id, row.type, _aware(row.at), row.uscc, row.subject, row.town, json.loads(row.data))


def facts_of(conn: Connection, *, uscc: str) -> list[Fact]:
    """Every fact about one enterprise, oldest first."""
    query = sa.select(facts).where(facts.c.uscc == uscc).order_by(facts.c.at, facts.c.event_id)
    return [_fact(r) for r in conn.execute(query)]


def facts_by_type(conn: Connection, *, types: Sequence[str], until: datetime | None = None) -> list[Fact]:
    """Every fact of the given types (up to `until`), oldest first."""
    query = sa.select(facts).where(facts.c.type.in_(list(types)))
    if until is not None:
        query = query.where(facts.c.at <= until)
    return [_fact(r) for r in conn.execute(query.order_by(facts.c.at, facts.c.event_id))]


def all_usccs(conn: Connection) -> list[str]:
    """Every enterprise any fact names."""
    query = sa.select(facts.c.uscc).where(facts.c.uscc != "").distinct().order_by(facts.c.uscc)
    return list(conn.execute(query).scalars())


# ------------------------------------------------------------------------------------- profiles


def save_profile(conn: Connection, *, profile_in: Profile) -> None:
    """Write an enterprise's profile (replacing the one before)."""
    values = {
        "uscc": profile_in.uscc,
        "name": profile_in.name,
        "town": profile_in.town,
        "grid": profile_in.grid,
        "industry": profile_in.industry,
        "permit_class": profile_in.permit_class,
        "radiation": profile_in.radiation,
        "registered_at": profile_in.registered_at,
        "as_of": profile_in.as_of,
    }
    statement = upsert_insert(conn, profiles).values(**values)
    conn.execute(statement.on_conflict_do_update(index_elements=["uscc"], set_=values))


def _profile(row: Any) -> Profile:
    return Profile(
        row.uscc,
        row.name,
        row.town,
        row.grid,
        row.industry,
        row.permit_class,
        row.radiation,
        _aware(row.registered_at),
        _aware(row.as_of),
    )


def get_profiles(conn: Connection) -> list[Profile]:
    """Every enterprise's profile."""
    return [_profile(r) for r in conn.execute(sa.select(profiles).order_by(profiles.c.uscc))]


def get_profile(conn: Connection, *, uscc: str) -> Profile | None:
    """One enterprise's profile, if it registered."""
    row = conn.execute(sa.select(profiles).where(profiles.c.uscc == uscc)).first()
    return _profile(row) if row else None


# -------------------------------------------------------------------------------------- credits


def _reason_json(r: Reason) -> dict[str, Any]:
    return {
        "rule_id": r.rule_id,
        "description": r.description,
        "points": r.points,
        "event_id": r.event_id,
        "event_type": r.event_type,
        "at": r.at.isoformat(),
        "subject": r.subject,
        "days": r.days,
        "at_best": r.at_best.value if r.at_best else "",
    }


def _reason(d: dict[str, Any]) -> Reason:
    return Reason(
        d["rule_id"],
        d["description"],
        d["points"],
        d["event_id"],
        d["event_type"],
        datetime.fromisoformat(d["at"]),
        d["subject"],
        d["days"],
        Level(d["at_best"]) if d["at_best"] else None,
    )


class StoredCredit:
    """A rating as stored, with what the read side needs beside it."""

    def __init__(self, row: Any) -> None:
        self.uscc: str = row.uscc
        self.rating = Rating(
            level=Level(row.level),
            score=row.score,
            score_level=Level(row.score_level),
            ceiling=Level(row.ceiling) if row.ceiling else None,
            rules_version=row.rules_version,
            reasons=tuple(_reason(d) for d in json.loads(row.reasons)),
            at=_aware(row.since),
        )
        self.explanation: str = row.explanation
        self.since = _aware(row.since)
        self.town: str = row.town
        self.published: str = row.published
        self.next_change_at = _maybe(row.next_change_at)


def get_credit(conn: Connection, *, uscc: str, for_update: bool = False) -> StoredCredit | None:
    """One enterprise's stored rating."""
    query = sa.select(credits).where(credits.c.uscc == uscc)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return StoredCredit(row) if row else None


def get_credit_or_raise(conn: Connection, *, uscc: str) -> StoredCredit:
    """One enterprise's stored rating, or NOT_FOUND."""
    found = get_credit(conn, uscc=uscc)
    if found is None:
        raise NotFound("credit rating of enterprise", uscc)
    return found


def save_credit(
    conn: Connection,
    *,
    uscc: str,
    rating: Rating,
    explanation: str,
    since: datetime,
    town: str,
    published: str,
    next_change_at: datetime | None,
) -> None:
    """Write an enterprise's current rating."""
    values = {
        "uscc": uscc,
        "level": rating.level.value,
        "score": rating.score,
        "score_level": rating.score_level.value,
        "ceiling": rating.ceiling.value if rating.ceiling else "",
        "rules_version": rating.rules_version,
        "reasons": json.dumps([_reason_json(r) for r in rating.reasons], sort_keys=True, ensure_ascii=False),
        "explanation": explanation,
        "since": since,
        "town": town,
        "published": published,
        "next_change_at": next_change_at,
    }
    statement = upsert_insert(conn, credits).values(**values)
    conn.execute(statement.on_conflict_do_update(index_elements=["uscc"], set_=values))


def replace_history(conn: Connection, *, uscc: str, entries: Iterable[Entry]) -> None:
    """Write an enterprise's whole credit history (replacing the one before)."""
    conn.execute(credit_history.delete().where(credit_history.c.uscc == uscc))
    rows = [
        {
            "uscc": uscc,
            "since": e.since,
            "level": e.level.value,
            "score": e.score,
            "rules_version": e.rules_version,
        }
        for e in entries
    ]
    if rows:
        conn.execute(credit_history.insert(), rows)


def get_history(conn: Connection, *, uscc: str) -> list[Entry]:
    """An enterprise's credit history, oldest first."""
    query = sa.select(credit_history).where(credit_history.c.uscc == uscc).order_by(credit_history.c.since)
    return [Entry(_aware(r.since), Level(r.level), r.score, r.rules_version) for r in conn.execute(query)]


def get_all_credits(
    conn: Connection, *, level: Level | None, town: str, page_size: int, page_token: str
) -> paging.Page[StoredCredit]:
    """Stored ratings filtered by level and town, a page at a time (by USCC)."""
    size = paging.page_size(page_size)
    after = paging.decode(page_token)
    query = sa.select(credits)
    count = sa.select(sa.func.count()).select_from(credits)
    if level is not None:
        query, count = (
            query.where(credits.c.level == level.value),
            count.where(credits.c.level == level.value),
        )
    if town:
        query, count = query.where(credits.c.town == town), count.where(credits.c.town == town)
    if after:
        query = query.where(credits.c.uscc > after)
    rows = [StoredCredit(r) for r in conn.execute(query.order_by(credits.c.uscc).limit(size + 1))]
    return paging.slice_page(rows, size, lambda c: c.uscc, int(conn.execute(count).scalar_one()))


def level_counts(conn: Connection) -> dict[str, int]:
    """How many enterprises stand at each level."""
    query = sa.select(credits.c.level, sa.func.count()).group_by(credits.c.level)
    return {level: int(n) for level, n in conn.execute(query)}


def due_for_rerating(conn: Connection, *, now: datetime, version: str) -> list[str]:
    """Enterprises whose rating may have changed by itself, or was made under another version."""
    query = sa.select(credits.c.uscc).where(
        sa.or_(credits.c.next_change_at <= now, credits.c.rules_version != version)
    )
    return list(conn.execute(query.order_by(credits.c.uscc)).scalars())


# -------------------------------------------------------------------------------------- repairs


def _repair(row: Any) -> Repair:
    return Repair(
        row.request_id,
        row.uscc,
        row.case_id,
        row.reason,
        RepairStatus(row.status),
        _aware(row.requested_at),
        _maybe(row.decided_at),
        row.decided_by,
        row.note,
    )


def create_repair(conn: Connection, *, repair_in: Repair) -> None:
    """Record a new credit-repair request."""
    conn.execute(
        credit_repairs.insert().values(
            request_id=repair_in.request_id,
            uscc=repair_in.uscc,
            case_id=repair_in.case_id,
            reason=repair_in.reason,
            status=repair_in.status.value,
            requested_at=repair_in.requested_at,
        )
    )


def update_repair(conn: Connection, *, repair_in: Repair) -> None:
    """Record a decision on a request."""
    conn.execute(
        credit_repairs.update()
        .where(credit_repairs.c.request_id == repair_in.request_id)
        .values(
            status=repair_in.status.value,
            decided_at=repair_in.decided_at,
            decided_by=repair_in.decided_by,
            note=repair_in.note,
        )
    )


def get_repair_or_raise(conn: Connection, *, request_id: str, for_update: bool = False) -> Repair:
    """One request, or NOT_FOUND."""
    query = sa.select(credit_repairs).where(credit_repairs.c.request_id == request_id)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound("credit-repair request", request_id)
    return _repair(row)


def open_repair_for(conn: Connection, *, uscc: str, case_id: str) -> Repair | None:
    """The undecided or approved request for a case, if there is one."""
    query = sa.select(credit_repairs).where(
        credit_repairs.c.uscc == uscc,
        credit_repairs.c.case_id == case_id,
        credit_repairs.c.status != RepairStatus.REFUSED.value,
    )
    row = conn.execute(query).first()
    return _repair(row) if row else None


def get_all_repairs(
    conn: Connection, *, uscc: str, status: RepairStatus | None, page_size: int, page_token: str
) -> paging.Page[Repair]:
    """Requests filtered by enterprise and status, a page at a time (by request id)."""
    size = paging.page_size(page_size)
    after = paging.decode(page_token)
    query = sa.select(credit_repairs)
    count = sa.select(sa.func.count()).select_from(credit_repairs)
    if uscc:
        query, count = query.where(credit_repairs.c.uscc == uscc), count.where(credit_repairs.c.uscc == uscc)
    if status is not None:
        cond = credit_repairs.c.status == status.value
        query, count = query.where(cond), count.where(cond)
    if after:
        query = query.where(credit_repairs.c.request_id > after)
    rows = [_repair(r) for r in conn.execute(query.order_by(credit_repairs.c.request_id).limit(size + 1))]
    return paging.slice_page(rows, size, lambda r: r.request_id, int(conn.execute(count).scalar_one()))


def mark_scorecard_published(
    conn: Connection, *, subject: str, start: date, end: date, now: datetime
) -> bool:
    """Record that a finished period's scorecard was announced; False if it had been already."""
    values = {"subject": subject, "period_start": start, "period_end": end, "published_at": now}
    return insert_if_absent(
        conn, published_scorecards, key=("subject", "period_start", "period_end"), values=values
    )
