"""The double-random draw (双随机): which units are inspected and by whom, reproducibly.

The algorithm, `sha256-successive-v1`, is specified for the public in
`services/enforcement/verifier/README.md`; this module implements that text and nothing else, and
`verifier/verify_draw.py` is an independent implementation of the same text (a test runs both).
Only integers and SHA-256: any language reproduces a draw exactly.

REFERENCE.md "Inspections": units by class with their own ratios, raised for poor credit; special
units always included; at least two officers per inspection (Administrative Penalty Law).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from shared.errors import FailedPrecondition, InvalidArgument

ALGORITHM = "sha256-successive-v1"
PERMILLE = 1000
MIN_TEAM = 2  # Administrative Penalty Law: at least two enforcement officers on site
SEED = re.compile(r"[0-9a-f]{32,128}")
CREDITS = ("unrated", "green", "blue", "yellow", "red", "black")


@dataclass(frozen=True)
class DrawClass:
    code: str
    ratio_permille: int
    always_include: bool = False
    credit_multipliers_permille: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DrawUnit:
    uscc: str
    class_code: str
    credit: str
    area: str


@dataclass(frozen=True)
class DrawInspector:
    inspector_id: str
    home_area: str
    conflicts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DrawInputs:
    seed: str
    classes: Sequence[DrawClass]
    units: Sequence[DrawUnit]
    inspectors: Sequence[DrawInspector]
    team_size: int = MIN_TEAM
    max_tasks_per_inspector: int = 0  # 0: no cap


@dataclass(frozen=True)
class Selection:
    uscc: str
    class_code: str
    inspector_ids: tuple[str, ...]


@dataclass(frozen=True)
class Exclusion:
    inspector_id: str
    uscc: str
    reason: str


@dataclass(frozen=True)
class DrawResult:
    inputs_sha256: str
    selections: tuple[Selection, ...]
    exclusions: tuple[Exclusion, ...]


def h(*parts: str) -> int:
    """SHA-256 of the parts joined with "|", as a big-endian unsigned integer (README "hash")."""
    return int.from_bytes(hashlib.sha256("|".join(parts).encode()).digest(), "big")


def validate(inputs: DrawInputs) -> None:
    """Refuse inputs the algorithm cannot draw from, naming the field."""
    if not SEED.fullmatch(inputs.seed):
        raise InvalidArgument("seed", "must be 32 to 128 lower-case hexadecimal digits")
    if inputs.team_size < MIN_TEAM:
        raise InvalidArgument("team_size", f"at least {MIN_TEAM} officers inspect together")
    if inputs.max_tasks_per_inspector < 0:
        raise InvalidArgument("max_tasks_per_inspector", "cannot be negative")
    codes = [c.code for c in inputs.classes]
    if len(set(codes)) != len(codes):
        raise InvalidArgument("classes", "a class code appears twice")
    for c in inputs.classes:
        if not 0 <= c.ratio_permille <= PERMILLE:
            raise InvalidArgument(f"classes[{c.code}].ratio", "must be between 0 and 1")
        for level, multiplier in c.credit_multipliers_permille.items():
            if level not in CREDITS or not 0 < multiplier <= 10 * PERMILLE:
                raise InvalidArgument(f"classes[{c.code}].credit_ratios", f"{level}: multiplier in (0, 10]")
    usccs = [u.uscc for u in inputs.units]
    if len(set(usccs)) != len(usccs):
        raise InvalidArgument("units", "a unit appears twice")
    for u in inputs.units:
        if u.class_code not in codes:
            raise InvalidArgument("units", f"{u.uscc} is in class {u.class_code!r}, which the plan lacks")
        if u.credit not in CREDITS:
            raise InvalidArgument("units", f"{u.uscc}: unknown credit level {u.credit!r}")
    ids = [i.inspector_id for i in inputs.inspectors]
    if len(set(ids)) != len(ids):
        raise InvalidArgument("inspectors", "an inspector appears twice")


def canonical(inputs: DrawInputs) -> dict[str, object]:
    """The inputs as the published JSON object, in canonical order (README "canonical inputs")."""
    return {
        "algorithm": ALGORITHM,
        "seed": inputs.seed,
        "team_size": inputs.team_size,
        "max_tasks_per_inspector": inputs.max_tasks_per_inspector,
        "classes": [
            {
                "code": c.code,
                "ratio_permille": c.ratio_permille,
                "always_include": c.always_include,
                "credit_multipliers_permille": dict(c.credit_multipliers_permille),
            }
            for c in sorted(inputs.classes, key=lambda c: c.code)
        ],
        "units": [
            {"uscc": u.uscc, "class_code": u.class_code, "credit": u.credit, "area": u.area}
            for u in sorted(inputs.units, key=lambda u: u.uscc)
        ],
        "inspectors": [
            {"inspector_id": i.inspector_id, "home_area": i.home_area, "conflicts": sorted(i.conflicts)}
            for i in sorted(inputs.inspectors, key=lambda i: i.inspector_id)
        ],
    }


def inputs_sha256(inputs: DrawInputs) -> str:
    """The hash that pins a draw's inputs: SHA-256 of the canonical JSON."""
    text = json.dumps(canonical(inputs), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def units_to_draw(klass: DrawClass, weights: Sequence[int]) -> int:
    """k = ceil(Σ min(1, ratio × multiplier)), in integers, at most the class's size."""
    expected = sum(min(PERMILLE * PERMILLE, klass.ratio_permille * w) for w in weights)
    return min(len(weights), (expected + PERMILLE * PERMILLE - 1) // (PERMILLE * PERMILLE))


def select_units(inputs: DrawInputs) -> list[DrawUnit]:
    """Step 1: every always-included unit, and successive weighted sampling in the other classes."""
    selected: list[DrawUnit] = []
    for klass in sorted(inputs.classes, key=lambda c: c.code):
        remaining = sorted((u for u in inputs.units if u.class_code == klass.code), key=lambda u: u.uscc)
        if klass.always_include:
            selected.extend(remaining)
            continue
        weight = {u.uscc: klass.credit_multipliers_permille.get(u.credit, PERMILLE) for u in remaining}
        for step in range(units_to_draw(klass, [weight[u.uscc] for u in remaining])):
            r = h(inputs.seed, "unit", klass.code, str(step)) % sum(weight[u.uscc] for u in remaining)
            running = 0
            for index, unit in enumerate(remaining):
                running += weight[unit.uscc]
                if running > r:
                    selected.append(remaining.pop(index))
                    break
    return selected


def form_teams(inputs: DrawInputs, units: Sequence[DrawUnit]) -> tuple[list[Selection], list[Exclusion]]:
    """Step 2: for each unit in order, the eligible inspectors of lowest hash rank."""
    tasks = {i.inspector_id: 0 for i in inputs.inspectors}
    selections, exclusions = [], []
    for unit in units:
        eligible = []
        for inspector in inputs.inspectors:
            if inspector.home_area == unit.area:
                exclusions.append(Exclusion(inspector.inspector_id, unit.uscc, "home area"))
            elif unit.uscc in inspector.conflicts:
                exclusions.append(Exclusion(inspector.inspector_id, unit.uscc, "declared conflict"))
            elif (
                not inputs.max_tasks_per_inspector
                or tasks[inspector.inspector_id] < inputs.max_tasks_per_inspector
            ):
                eligible.append(inspector.inspector_id)
        if len(eligible) < inputs.team_size:
            raise FailedPrecondition(
                f"only {len(eligible)} inspectors can be sent to {unit.uscc} without a conflict or going "
                f"over the cap; the plan needs teams of {inputs.team_size}"
            )
        team = sorted(eligible, key=lambda i: h(inputs.seed, "team", unit.uscc, i))[: inputs.team_size]
        for inspector_id in team:
            tasks[inspector_id] += 1
        selections.append(Selection(unit.uscc, unit.class_code, tuple(team)))
    return selections, sorted(exclusions, key=lambda e: (e.uscc, e.inspector_id))


def draw(inputs: DrawInputs) -> DrawResult:
    """The draw that `inputs` (with its seed) give, always the same one."""
    validate(inputs)
    ordered = DrawInputs(
        seed=inputs.seed,
        classes=inputs.classes,
        units=inputs.units,
        inspectors=sorted(inputs.inspectors, key=lambda i: i.inspector_id),
        team_size=inputs.team_size,
        max_tasks_per_inspector=inputs.max_tasks_per_inspector,
    )
    selections, exclusions = form_teams(ordered, select_units(ordered))
    return DrawResult(inputs_sha256(inputs), tuple(selections), tuple(exclusions))


def published(inputs: DrawInputs, result: DrawResult) -> dict[str, object]:
    """The draw as published: canonical inputs, their hash and the selection (README "inputs")."""
    return {
        **canonical(inputs),
        "inputs_sha256": result.inputs_sha256,
        "selections": [
            {"uscc": s.uscc, "class_code": s.class_code, "inspector_ids": list(s.inspector_ids)}
            for s in result.selections
        ],
    }
