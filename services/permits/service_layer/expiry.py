"""Expiry by time: permits whose validity has ended are marked expired, with their events."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from services.permits.adapters import permit_repository as permit_repo
from services.permits.adapters import radiation_repository as radiation_repo
from services.permits.domain import events as ev
from services.permits.domain import permit as permit_rules
from services.permits.domain import radiation as radiation_rules
from services.permits.domain.radiation import RadiationPermitStatus
from services.permits.domain.values import Actor
from services.permits.service_layer.unit_of_work import Deps, transaction
from shared import china_time

log = logging.getLogger(__name__)
SYSTEM = Actor(department="permits", user="expiry-scheduler", reason="validity ended")
BATCH = 200


@dataclass(frozen=True)
class ExpiryResult:
    """What one run expired."""

    permits: list[str]
    radiation_permits: list[str]


def expire_due(deps: Deps, now: datetime) -> ExpiryResult:
    """Mark expired every permit whose last valid day is before `now`'s date; one event each.

    Each update is conditional on the row still being in the state read AND its validity still
    ending before today, both checked by the UPDATE itself. So two schedulers (two replicas) expire
    a permit once between them, and a renewal that commits between the read and the update (the
    renewal held the row lock; its new term ends years ahead) makes the update touch nothing: no
    status `expired` with a validity in the future, and no PermitExpired after PermitRenewed.
    Only a row actually updated gets its event.

    A permit with a renewal applied for in time still under review is skipped: it stays in force
    until the decision (排污许可管理条例 art. 14, 行政许可法 art. 50; domain/renewal.py). The query
    and the UPDATE both say so; a late application does not count, and its permit expires. No
    in-time application can appear between the read and the UPDATE: once a term has ended, an
    application is refused, and one made on the last valid day is late.
    """
    today = china_time.local_day(now)
    expired: list[str] = []
    expired_radiation: list[str] = []
    from_statuses = permit_rules.TRANSITIONS["expire"][0]
    while True:
        with transaction(deps) as tx:
            due = permit_repo.due_to_expire(tx.conn, statuses=from_statuses, before=today, limit=BATCH)
            for permit in due:
                if permit_repo.update_status(
                    tx.conn,
                    permit_number=permit.permit_number,
                    from_statuses=[permit.status],
                    status=permit_rules.PermitStatus.EXPIRED,
                    actor=SYSTEM,
                    now=now,
                    valid_until_before=today,
                    unless_kept_in_force=True,
                ):
                    tx.publish(
                        permit.uscc,
                        ev.PermitExpired(permit),
                    )
                    expired.append(permit.permit_number)
        if len(due) < BATCH:
            break
    while True:
        with transaction(deps) as tx:
            page = radiation_repo.get_all(
                tx.conn, statuses=radiation_rules.VALID, valid_until_before=today, page_size=BATCH
            )
            for radiation in page.items:
                if radiation_repo.update(
                    tx.conn,
                    permit_number=radiation.permit_number,
                    from_statuses=radiation_rules.VALID,
                    status=RadiationPermitStatus.EXPIRED,
                    now=now,
                    actor=SYSTEM,
                    valid_until_before=today,
                ):
                    ended = replace(radiation, status=RadiationPermitStatus.EXPIRED, last_action=SYSTEM)
                    tx.publish(
                        ended.uscc,
                        ev.RadiationPermitExpired(ended),
                    )
                    expired_radiation.append(radiation.permit_number)
        if not page.next_token:
            break
    if expired or expired_radiation:
        log.info("expired %d permits and %d radiation permits", len(expired), len(expired_radiation))
    return ExpiryResult(expired, expired_radiation)
