"""Inspection task use cases: read tasks, record a result (a violation opens a problem in the ledger,
source INSPECTION, in the same transaction), and publish results (一公开), one event per task."""

from __future__ import annotations

from services.enforcement.adapters import inspection_repository as repo
from services.enforcement.domain import inspection_tasks as rules
from services.enforcement.domain.inspection_events import InspectionPublished
from services.enforcement.domain.inspection_tasks import Outcome, Result, Task, TaskStatus
from services.enforcement.domain.problem import ProblemIn, Severity, Source
from services.enforcement.domain.values import Actor
from services.enforcement.service_layer import problems
from services.enforcement.service_layer.unit_of_work import Deps, transaction
from shared import paging
from shared.errors import InvalidArgument, NotFound


def get_task(deps: Deps, *, task_id: str) -> Task:
    """One task."""
    with deps.engine.connect() as conn:
        found = repo.get_task(conn, task_id)
    if found is None:
        raise NotFound("inspection task", task_id)
    return found


def get_tasks(
    deps: Deps,
    *,
    draw_id: str,
    plan_id: str,
    uscc: str,
    inspector_id: str,
    status: TaskStatus | None,
    page_size: int,
    page_token: str,
) -> paging.Page[Task]:
    """Tasks filtered."""
    size, after = paging.page_size(page_size), paging.decode(page_token)
    with deps.engine.connect() as conn:
        return repo.get_tasks(
            conn,
            draw_id=draw_id,
            plan_id=plan_id,
            uscc=uscc,
            inspector_id=inspector_id,
            status=status,
            size=size,
            after=after,
        )


def record_result(deps: Deps, *, task_id: str, result: Result, actor: Actor) -> Task:
    """RecordInspectionResult: the task inspected; a violation opens a problem routed by the unit's place."""
    with transaction(deps) as tx:
        task = repo.get_task(tx.conn, task_id, for_update=True)
        if task is None:
            raise NotFound("inspection task", task_id)
        task = rules.record(task, result)
        if result.outcome is Outcome.VIOLATION:
            problem, _ = problems.open_in(
                deps,
                tx,
                ProblemIn(
                    source=Source.INSPECTION,
                    source_ref=f"inspection:{task.task_id}",
                    title=f"双随机检查发现问题 {task.uscc}",
                    description=result.findings,
                    category="other",
                    uscc=task.uscc,
                    station_id="",
                    parameter="",
                    location=repo.target_location(tx.conn, task.uscc),
                    town="",
                    grid_id="",
                    severity=Severity.MEDIUM,
                    occurred_at=result.inspected_at,
                    actor=actor,
                ),
            )
            task = repo.with_problem(task, problem.problem_id)
        repo.save_task(tx.conn, task, new=False)
    return task


def publish(deps: Deps, *, draw_id: str, task_ids: list[str]) -> list[Task]:
    """PublishInspectionResults: the named tasks (or every inspected task of the draw) made public."""
    if not draw_id and not task_ids:
        raise InvalidArgument("draw_id", "a draw or task ids are required")
    with transaction(deps) as tx:
        if task_ids:
            found = [repo.get_task(tx.conn, t, for_update=True) for t in dict.fromkeys(task_ids)]
            missing = [t for t, f in zip(dict.fromkeys(task_ids), found, strict=True) if f is None]
            if missing:
                raise NotFound("inspection task", ", ".join(missing))
            tasks = [t for t in found if t is not None]
            if draw_id and any(t.draw_id != draw_id for t in tasks):
                raise InvalidArgument("task_ids", f"not all tasks belong to draw {draw_id}")
        else:
            if repo.get_draw(tx.conn, draw_id) is None:
                raise NotFound("draw", draw_id)
            tasks = [t for t in repo.tasks_of_draw(tx.conn, draw_id) if t.status is TaskStatus.INSPECTED]
        published = []
        for task in tasks:
            done = rules.publish(task, tx.now)
            repo.save_task(tx.conn, done, new=False)
            unit, where = repo.target(tx.conn, done.uscc), repo.target_location(tx.conn, done.uscc)
            tx.publish(done.uscc, InspectionPublished(done, unit, where))
            published.append(done)
    return published
