"""Use cases of hazardous-waste transfer manifests, and the stuck sweep the periodic worker runs."""

from __future__ import annotations

import uuid

from services.risk.adapters import assessment_repository as registry_repo
from services.risk.adapters import manifest_repository as repo
from services.risk.domain import events as ev
from services.risk.domain import manifests as rules
from services.risk.domain.manifests import Manifest, ManifestStep
from services.risk.domain.score import Event, Signal
from services.risk.domain.values import Actor, text
from services.risk.service_layer.unit_of_work import Deps, Tx, transaction
from shared import paging
from shared.errors import InvalidArgument
from shared.uscc import validate_uscc


def create(
    deps: Deps,
    *,
    producer_uscc: str,
    waste_code: str,
    waste_name: str,
    receiver: str,
    quantity_kg: float,
    run_id: str,
    actor: Actor,
) -> Manifest:
    """A generated manifest (ManifestChanged)."""
    code = validate_uscc(producer_uscc, field="producer_uscc")
    run = text("run_id", run_id, required=False, max_len=60)
    with transaction(deps) as tx:
        manifest = rules.new_manifest(
            manifest_id=str(uuid.uuid4()),
            producer_uscc=code,
            waste_code=waste_code,
            waste_name=waste_name,
            receiver=receiver,
            quantity_kg=quantity_kg,
            by=actor.department or actor.user,
            now=tx.now,
            deadline=deps.manifest_deadline,
            run_id=run,
        )
        repo.create(tx.conn, manifest_in=manifest)
        tx.publish(code, ev.ManifestChanged(manifest))
    return manifest


def _check_mismatch(tx: Tx, deps: Deps, manifest: Manifest) -> Manifest:
    found = rules.mismatch(manifest, deps.manifest_tolerance)
    if found is None:
        return manifest
    announced = rules.announce_mismatch(manifest, found)
    tx.publish(manifest.producer_uscc, ev.ManifestMismatched(announced, found))
    registry_repo.add_signal(
        tx.conn,
        uscc=manifest.producer_uscc,
        event=Event(
            Signal.MANIFEST_MISMATCH,
            tx.now,
            f"{manifest.manifest_id}:{found.step.name.lower()}",
            f"{found.actual_kg:g} kg at {found.step.name.lower()}, {found.expected_kg:g} kg generated",
        ),
    )
    return announced


def record_step(
    deps: Deps, *, manifest_id: str, step: ManifestStep | None, quantity_kg: float, actor: Actor
) -> Manifest:
    """The next step with its weighed quantity (ManifestChanged; ManifestMismatch beyond the tolerance)."""
    if step is None or step is ManifestStep.GENERATED:
        raise InvalidArgument("step", "one of collected, transported, received, disposed")
    with transaction(deps) as tx:
        current = repo.get_or_raise(tx.conn, manifest_id=manifest_id, for_update=True)
        moved = rules.advance(
            current, step, quantity_kg=quantity_kg, by=actor.department or actor.user, now=tx.now
        )
        moved = _check_mismatch(tx, deps, moved)
        repo.update(tx.conn, manifest_in=moved)
        tx.publish(moved.producer_uscc, ev.ManifestChanged(moved))
    return moved


def get(deps: Deps, *, manifest_id: str) -> Manifest:
    """One manifest."""
    with deps.engine.connect() as conn:
        return repo.get_or_raise(conn, manifest_id=manifest_id)


def get_all(
    deps: Deps,
    *,
    producer_uscc: str,
    run_id: str,
    statuses: list[ManifestStep],
    page_size: int,
    page_token: str,
) -> paging.Page[Manifest]:
    """Manifests by producer, run and status."""
    code = validate_uscc(producer_uscc, field="producer_uscc") if producer_uscc else ""
    with deps.engine.connect() as conn:
        return repo.get_all(
            conn,
            producer_uscc=code,
            run_id=run_id,
            statuses=statuses,
            page_size=page_size,
            page_token=page_token,
        )


def reconcile_run(deps: Deps, *, run_id: str) -> rules.RunReconciliation:
    """A collection run reconciled producer by producer."""
    run = text("run_id", run_id, max_len=60)
    with deps.engine.connect() as conn:
        found = repo.of_run(conn, run_id=run)
    if not found:
        from shared.errors import NotFound

        raise NotFound("collection run", run)
    return rules.reconcile_run(run, found, deps.manifest_tolerance)


def mark_stuck(deps: Deps) -> int:
    """Announce every manifest stuck past its deadline (ManifestStuck once each); returns how many."""
    done = 0
    with deps.engine.connect() as conn:
        due = repo.stuck_candidates(conn, now=deps.clock.now())
    for manifest_id in due:
        with transaction(deps) as tx:
            manifest = repo.get_or_raise(tx.conn, manifest_id=manifest_id, for_update=True)
            if rules.is_stuck(manifest, tx.now):
                stuck = rules.announce_stuck(manifest)
                repo.update(tx.conn, manifest_in=stuck)
                tx.publish(stuck.producer_uscc, ev.ManifestStuck(stuck))
                registry_repo.add_signal(
                    tx.conn,
                    uscc=stuck.producer_uscc,
                    event=Event(
                        Signal.MANIFEST_STUCK,
                        stuck.deadline,
                        stuck.manifest_id,
                        "not disposed by its deadline",
                    ),
                )
                done += 1
    return done
