"""Double-random inspections (双随机、一公开): the inspector roster, the targets, the plans, and how a
plan with its targets and roster becomes the inputs of a draw (domain/draw.py draws from them).

REFERENCE.md "Inspections": units are classed (key, ordinary, special), each class with its own ratio,
raised for poor credit; special units are always included; at least two officers per inspection
(Administrative Penalty Law art. 42). Which unit is in which class is data (data/inspection_classes.json),
so is the default raise for poor credit; both are local settings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from services.enforcement.domain import draw as d
from services.enforcement.domain.values import Actor, text
from shared.errors import InvalidArgument
from shared.uscc import validate_uscc

MAX_CLASSES = 20


@dataclass(frozen=True)
class Conflict:
    """A declared conflict of interest: never drawn to this enterprise."""

    uscc: str
    reason: str
    declared_at: datetime


@dataclass(frozen=True)
class Inspector:
    """An enforcement officer (执法人员) of the roster."""

    inspector_id: str
    name: str
    badge_number: str
    department: str
    town: str
    home_grid_id: str
    qualifications: tuple[str, ...]
    active: bool
    conflicts: tuple[Conflict, ...] = ()


def inspector(
    *,
    inspector_id: str,
    name: str,
    badge_number: str,
    department: str,
    town: str,
    home_grid_id: str,
    qualifications: Sequence[str],
    active: bool,
    conflicts: Sequence[Conflict] = (),
) -> Inspector:
    """An inspector's fields checked; the home grid is required, since the draw keeps them out of it."""
    checked = []
    for n, c in enumerate(conflicts):
        uscc = validate_uscc(c.uscc, field=f"inspector.conflicts[{n}].uscc")
        reason = text(f"inspector.conflicts[{n}].reason", c.reason, max_len=500, free_text=True)
        checked.append(Conflict(uscc, reason, c.declared_at))
    return Inspector(
        text("inspector.inspector_id", inspector_id, max_len=64),
        text("inspector.name", name, max_len=100),
        text("inspector.badge_number", badge_number, max_len=40),
        text("inspector.department", department, max_len=100),
        text("inspector.town", town, required=False, max_len=50),
        text("inspector.home_grid_id", home_grid_id, max_len=64),
        tuple(dict.fromkeys(text("inspector.qualifications", q, max_len=50) for q in qualifications)),
        active,
        tuple({c.uscc: c for c in checked}.values()),
    )


@dataclass(frozen=True)
class Target:
    """A regulated unit as the draw sees it, fed by the registry, evaluation's credit and risk's level."""

    uscc: str
    name: str = ""
    town: str = ""
    grid_id: str = ""
    permit_class: str = ""  # "key", "simplified", "registration" or ""
    risk_flags: tuple[str, ...] = ()
    credit: str = "unrated"
    risk_level: str = ""  # "general", "significant", "major" or ""


@dataclass(frozen=True)
class ClassRules:
    """Which class a unit is in (first matching rule wins) and the default raise for poor credit."""

    version: str
    rules: tuple[tuple[str, Mapping[str, frozenset[str]]], ...]
    default_multipliers: Mapping[str, float]

    def class_of(self, t: Target) -> str:
        """The class of a target: the first rule any of whose conditions holds (no condition: any)."""
        values = {
            "permit_class": {t.permit_class},
            "risk_flags": set(t.risk_flags),
            "credit": {t.credit},
            "risk_level": {t.risk_level},
        }
        for code, when in self.rules:
            if not when or any(values.get(key, set()) & wanted for key, wanted in when.items()):
                return code
        return ""


def class_rules(doc: Mapping[str, Any]) -> ClassRules:
    """The class rules of a data document (data/inspection_classes.json)."""
    rules = tuple(
        (str(r["class"]), {k: frozenset(v) for k, v in r.get("when", {}).items()}) for r in doc["rules"]
    )
    defaults = {str(k): float(v) for k, v in doc.get("default_credit_multipliers", {}).items()}
    return ClassRules(str(doc["version"]), rules, defaults)


@dataclass(frozen=True)
class PlanClass:
    """A class of units in a plan: ratio and credit multipliers (both as the contract gives them)."""

    code: str
    name: str
    ratio: float
    always_include: bool
    credit_multipliers: Mapping[str, float]
    frequency_per_year: int = 0


@dataclass(frozen=True)
class Plan:
    """A double-random plan for a period."""

    plan_id: str
    name: str
    starts_on: date
    ends_on: date
    classes: tuple[PlanClass, ...]
    team_size: int
    department: str
    towns: tuple[str, ...]
    max_tasks_per_inspector: int
    created_at: datetime
    created_by: Actor
    rules_version: str = ""


def _permille(field_name: str, value: float, low: float, high: float) -> int:
    if not math.isfinite(value) or not low <= value <= high:
        raise InvalidArgument(field_name, f"must be between {low:g} and {high:g}, got {value}")
    return round(value * d.PERMILLE)


def plan_class(n: int, c: PlanClass, defaults: Mapping[str, float]) -> PlanClass:
    """A class checked; poor credit raised by the local defaults where the plan gives no multiplier."""
    where = f"plan.classes[{n}]"
    code = text(f"{where}.code", c.code, max_len=30)
    _permille(f"{where}.ratio", c.ratio, 0, 1)
    multipliers = {**defaults, **c.credit_multipliers}
    for level, m in multipliers.items():
        if level not in d.CREDITS:
            raise InvalidArgument(f"{where}.credit_ratios", f"unknown credit level {level!r}")
        if not 0 < m <= 10 or not math.isfinite(m):
            raise InvalidArgument(f"{where}.credit_ratios", f"{level}: a multiplier is in (0, 10], got {m}")
    if c.frequency_per_year < 0:
        raise InvalidArgument(f"{where}.frequency_per_year", "cannot be negative")
    name = text(f"{where}.name", c.name, required=False, max_len=100)
    return PlanClass(code, name, c.ratio, c.always_include, multipliers, c.frequency_per_year)


def plan(p: Plan, rules: ClassRules) -> Plan:
    """A plan checked: a period, one to MAX_CLASSES distinct classes, teams of two or more."""
    if p.ends_on < p.starts_on:
        raise InvalidArgument("plan.ends_on", "is before starts_on")
    if not 1 <= len(p.classes) <= MAX_CLASSES:
        raise InvalidArgument("plan.classes", f"1 to {MAX_CLASSES} classes")
    classes = tuple(plan_class(n, c, rules.default_multipliers) for n, c in enumerate(p.classes))
    codes = [c.code for c in classes]
    if len(set(codes)) != len(codes):
        raise InvalidArgument("plan.classes", "a class code appears twice")
    if p.team_size < d.MIN_TEAM:
        # Administrative Penalty Law art. 42: at least two enforcement officers on site.
        raise InvalidArgument("plan.team_size", f"at least {d.MIN_TEAM} officers inspect together")
    if p.max_tasks_per_inspector < 0:
        raise InvalidArgument("plan.max_tasks_per_inspector", "cannot be negative")
    return Plan(
        text("plan.plan_id", p.plan_id, max_len=36),
        text("plan.name", p.name, max_len=200),
        p.starts_on,
        p.ends_on,
        classes,
        p.team_size,
        text("plan.department", p.department, required=False, max_len=100),
        tuple(text("plan.towns", t, max_len=50) for t in p.towns),
        p.max_tasks_per_inspector,
        p.created_at,
        p.created_by,
        rules.version,
    )


@dataclass(frozen=True)
class DrawPlan:
    """What a draw is made from: the plan's classes in permille, the units and the inspectors."""

    inputs: d.DrawInputs
    left_out: Mapping[str, str] = field(default_factory=dict)  # uscc -> why it is not in the list


def draw_inputs(
    p: Plan, *, seed: str, targets: Sequence[Target], inspectors: Sequence[Inspector], rules: ClassRules
) -> DrawPlan:
    """The draw's inputs: targets in the plan's towns and classes, active inspectors, their conflicts."""
    classes = [
        d.DrawClass(
            c.code,
            round(c.ratio * d.PERMILLE),
            c.always_include,
            {k: round(v * d.PERMILLE) for k, v in sorted(c.credit_multipliers.items())},
        )
        for c in p.classes
    ]
    codes = {c.code for c in classes}
    units, left_out = [], {}
    for t in targets:
        if p.towns and t.town not in p.towns:
            continue
        klass = rules.class_of(t)
        if klass not in codes:
            left_out[t.uscc] = f"class {klass or 'none'} is not in the plan"
            continue
        units.append(d.DrawUnit(t.uscc, klass, t.credit if t.credit in d.CREDITS else "unrated", t.grid_id))
    staff = [
        d.DrawInspector(i.inspector_id, i.home_grid_id, frozenset(c.uscc for c in i.conflicts))
        for i in inspectors
        if i.active  # officers cross towns; the plan's towns restrict the units only
    ]
    inputs = d.DrawInputs(seed, classes, units, staff, p.team_size, p.max_tasks_per_inspector)
    return DrawPlan(inputs, left_out)


def inputs_of(doc: Mapping[str, Any]) -> d.DrawInputs:
    """Draw inputs read back from their published JSON (draw.canonical's shape)."""
    return d.DrawInputs(
        seed=str(doc["seed"]),
        classes=[
            d.DrawClass(
                c["code"],
                int(c["ratio_permille"]),
                bool(c["always_include"]),
                {k: int(v) for k, v in c["credit_multipliers_permille"].items()},
            )
            for c in doc["classes"]
        ],
        units=[d.DrawUnit(u["uscc"], u["class_code"], u["credit"], u["area"]) for u in doc["units"]],
        inspectors=[
            d.DrawInspector(i["inspector_id"], i["home_area"], frozenset(i["conflicts"]))
            for i in doc["inspectors"]
        ],
        team_size=int(doc["team_size"]),
        max_tasks_per_inspector=int(doc["max_tasks_per_inspector"]),
    )


def mismatch(recorded: Mapping[str, Any], recomputed: d.DrawResult) -> str:
    """Where a recorded draw differs from the recomputed one ("" when identical)."""
    if recorded.get("inputs_sha256") != recomputed.inputs_sha256:
        return "inputs_sha256: the recorded inputs no longer hash to the recorded value"
    got = [(s.uscc, list(s.inspector_ids)) for s in recomputed.selections]
    had = [(s["uscc"], list(s["inspector_ids"])) for s in recorded.get("selections", [])]
    for n, (a, b) in enumerate(zip(had, got, strict=False)):
        if a != b:
            return f"selections[{n}]: recorded {a[0]} {a[1]}, recomputed {b[0]} {b[1]}"
    if len(had) != len(got):
        return f"selections: recorded {len(had)}, recomputed {len(got)}"
    return ""
