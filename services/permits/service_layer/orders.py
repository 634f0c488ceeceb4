"""Orders from other services that change permits: enforcement's suspension orders."""

from __future__ import annotations

import logging

from sqlalchemy.engine import Connection

from services.permits.adapters import permit_repository as permit_repo
from services.permits.domain.events import SuspendOrder
from services.permits.domain.permit import VALID
from services.permits.domain.values import actor, identifier
from services.permits.service_layer import permits_in_force
from services.permits.service_layer.unit_of_work import Deps, transaction
from shared.errors import InvalidArgument

log = logging.getLogger(__name__)


def apply_suspend_order(deps: Deps, conn: Connection, order: SuspendOrder) -> bool:
    """Suspend the ordered permit inside the consumer's transaction; False when there is nothing to do.

    An order that cannot apply (unknown permit, another enterprise's permit, a permit no longer in
    force) is logged and dropped rather than raised: raising would make the consumer retry the
    same message forever and hold up every event behind it.
    """
    try:
        number = identifier("permit_number", order.permit_number)
        # Over-long texts are cut to what the columns hold, not a reason to drop a lawful order.
        reason = (order.reason or "enforcement decision")[:1000]
        who = actor("enforcement", f"case {order.case_id}"[:100], reason)
    except InvalidArgument as exc:
        log.warning("suspend order for case %s: %s; ignored", order.case_id, exc)
        return False
    with transaction(deps, conn) as tx:
        permit = permit_repo.get(tx.conn, permit_number=number, for_update=True)
        if permit is None or permit.uscc != order.uscc.strip().upper():
            log.warning(
                "suspend order for case %s: no permit %s of %s; ignored", order.case_id, number, order.uscc
            )
            return False
        if permit.status not in VALID:
            log.warning(
                "suspend order for case %s: permit %s is %s; ignored", order.case_id, number, permit.status
            )
            return False
        permits_in_force.suspend_in(tx, permit_number=number, actor=who, case_id=order.case_id)
    return True
