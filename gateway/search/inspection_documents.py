"""Enforcement's double-random inspection events (双随机、一公开) to search documents: pure functions in
the style of gateway.search.documents, merged into its BUILDERS.

- "draw:<draw_id>" from DrawMade: the draw as published (its plan's name and period, the seed, the
  algorithm, the inputs' hash, the selected units), findable by the plan's name and by a selected
  unit's USCC;
- "inspection:<task_id>" from InspectionPublished: a published result (its outcome as the status,
  the findings, the unit's name and place as the event carries them).
Each document comes from one event, so a replay writes it exactly as the live stream did. Inspectors'
names and the conflict lists stay out of the index.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from google.protobuf.message import Message

from eco.v1 import enforcement_pb2
from gateway.search.document_ops import Op, Upsert, doc_id, enum_name
from gateway.search.document_ops import date_text as _date
from gateway.search.document_ops import place as _place
from gateway.search.document_ops import text as _text
from gateway.search.document_ops import time_text as _time

pb = enforcement_pb2

# The outcome in the words of a published result.
OUTCOME_WORDS = {"compliant": "未发现问题", "violation": "发现违法行为", "not_operating": "停产或关闭"}


def draw_made(payload: Message) -> list[Op]:
    """DrawMade: the draw's document (its status "drawn", its time the draw's)."""
    assert isinstance(payload, pb.DrawMade)
    d, plan = payload.draw, payload.plan
    selected = [s.uscc for s in d.selections]
    props: dict[str, Any] = {
        "draw_id": d.draw_id,
        "plan_id": d.plan_id,
        "plan_name": plan.name,
        "department": plan.department,
        "starts_on": _date(plan.starts_on),
        "ends_on": _date(plan.ends_on),
        "seed": d.seed,
        "algorithm": d.algorithm,
        "inputs_sha256": d.inputs_sha256,
        "units": len(d.units),
        "selected": selected,
        "team_size": d.team_size,
        "drawn_at": _time(d.drawn_at),
    }
    title = f"{plan.name} 双随机抽查摇号" if plan.name else f"双随机抽查摇号 {d.draw_id}"
    doc: dict[str, Any] = {
        "kind": "draw",
        "ref": d.draw_id,
        "title": title,
        "body": _text(plan.name, d.plan_id, d.seed, d.algorithm, d.inputs_sha256, " ".join(selected)),
        "status": "drawn",
        "props": props,
    }
    if len(plan.towns) == 1:  # a plan for one town is that town's (a city-wide one has none)
        doc["town"] = plan.towns[0]
    if props["drawn_at"]:
        doc["time"] = props["drawn_at"]
    return [Upsert(doc_id("draw", d.draw_id), doc)]


def inspection_published(payload: Message) -> list[Op]:
    """InspectionPublished: the published result, placed where the event says the unit is."""
    assert isinstance(payload, pb.InspectionPublished)
    outcome = enum_name(pb.InspectionOutcome, payload.outcome, "INSPECTION_OUTCOME_")
    words = OUTCOME_WORDS.get(outcome, outcome)
    props: dict[str, Any] = {
        "task_id": payload.task_id,
        "draw_id": payload.draw_id,
        "uscc": payload.uscc,
        "enterprise_name": payload.enterprise_name,
        "outcome": outcome,
        "inspected_at": _time(payload.inspected_at),
        "published_at": _time(payload.published_at),
        "problem_id": payload.problem_id,
        "grid_id": payload.grid_id,
    }
    doc: dict[str, Any] = {
        "kind": "inspection",
        "ref": payload.task_id,
        "title": f"{payload.enterprise_name or payload.uscc} 双随机抽查结果",
        "body": _text(payload.findings, words, payload.uscc, payload.grid_id),
        "status": outcome,
        **_place(payload.town, payload.location),
        "props": props,
    }
    if payload.grid_id:
        doc["grid"] = payload.grid_id
    if props["inspected_at"]:
        doc["time"] = props["inspected_at"]
    return [Upsert(doc_id("inspection", payload.task_id), doc)]


BUILDERS: dict[str, Callable[[Message], list[Op]]] = {
    "DrawMade": draw_made,
    "InspectionPublished": inspection_published,
}
