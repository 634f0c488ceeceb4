"""The double-random draw: reproducible, constrained, fair, and checkable by the public verifier."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from itertools import permutations
from pathlib import Path

import pytest

from services.enforcement.domain import draw as d
from shared.errors import FailedPrecondition, InvalidArgument

VERIFIER = Path(d.__file__).resolve().parents[1] / "verifier" / "verify_draw.py"
SEED = "5eed" * 16
# χ² critical values at α = 0.001 (any statistics table): the fairness tests fail only for bias.
CHI2_001 = {5: 20.515, 14: 36.123}


def _uscc(n: int) -> str:
    return f"U{n:04d}"


def city(units: int = 30, inspectors: int = 10, *, special: int = 2) -> d.DrawInputs:
    """A plan with key, ordinary and special classes over four areas, credits of every colour."""
    credits = ["green", "blue", "yellow", "red", "unrated"]
    classes = [
        d.DrawClass("key", 500, credit_multipliers_permille={"red": 3000, "yellow": 2000}),
        d.DrawClass("ordinary", 200, credit_multipliers_permille={"red": 3000, "yellow": 2000}),
        d.DrawClass("special", 0, always_include=True),
    ]
    unit_list = [
        d.DrawUnit(
            _uscc(n),
            "special" if n < special else ("key" if n % 3 == 0 else "ordinary"),
            credits[n % len(credits)],
            f"area-{n % 4}",
        )
        for n in range(units)
    ]
    inspector_list = [
        d.DrawInspector(f"I-{n:03d}", f"area-{n % 4}", frozenset({_uscc(n)}) if n % 3 == 0 else frozenset())
        for n in range(inspectors)
    ]
    return d.DrawInputs(SEED, classes, unit_list, inspector_list, team_size=2)


def test_the_same_inputs_and_seed_give_the_same_draw_whatever_their_order() -> None:
    inputs = city()
    shuffled = replace(
        inputs,
        units=random.Random(1).sample(list(inputs.units), len(inputs.units)),
        inspectors=list(reversed(inputs.inspectors)),
        classes=list(reversed(inputs.classes)),
    )
    assert d.draw(inputs) == d.draw(shuffled)


def test_another_seed_gives_another_selection_and_another_inputs_hash() -> None:
    first, second = d.draw(city()), d.draw(replace(city(), seed="ab" * 16))
    assert first.selections != second.selections
    assert first.inputs_sha256 != second.inputs_sha256


def test_every_input_is_pinned_by_the_hash() -> None:
    base = city()
    changed_unit = replace(
        base, units=[replace(base.units[5], credit="red"), *base.units[:5], *base.units[6:]]
    )
    changed_team = replace(base, team_size=3)
    hashes = {d.inputs_sha256(x) for x in (base, changed_unit, changed_team)}
    assert len(hashes) == 3


def test_draw_sizes_follow_the_ratios_raised_for_poor_credit() -> None:
    key = d.DrawClass("key", 300, credit_multipliers_permille={"red": 3000})
    assert d.units_to_draw(key, [1000] * 10) == 3  # 10 × 0.3
    assert d.units_to_draw(key, [1000] * 7) == 3  # 2.1 rounds up, in integers (no 0.3 × 7 float error)
    assert d.units_to_draw(key, [3000] * 2 + [1000] * 8) == 5  # 2 × 0.9 + 8 × 0.3 = 4.2
    assert d.units_to_draw(d.DrawClass("x", 800, credit_multipliers_permille={"red": 3000}), [3000] * 4) == 4
    assert d.units_to_draw(key, []) == 0


@pytest.mark.parametrize("seed", [f"{n:032x}" for n in range(200)])
def test_every_draw_keeps_every_rule(seed: str) -> None:
    inputs = replace(city(units=40, inspectors=12), seed=seed, max_tasks_per_inspector=6)
    result = d.draw(inputs)
    units = {u.uscc: u for u in inputs.units}
    inspectors = {i.inspector_id: i for i in inputs.inspectors}
    chosen = [s.uscc for s in result.selections]
    assert len(chosen) == len(set(chosen))
    assert {u.uscc for u in inputs.units if u.class_code == "special"} <= set(chosen)
    load: Counter[str] = Counter()
    for s in result.selections:
        assert len(set(s.inspector_ids)) == len(s.inspector_ids) == 2
        for inspector_id in s.inspector_ids:
            assert inspectors[inspector_id].home_area != units[s.uscc].area
            assert s.uscc not in inspectors[inspector_id].conflicts
            load[inspector_id] += 1
    assert max(load.values()) <= 6


def test_too_few_inspectors_without_conflict_refuses_the_draw() -> None:
    inputs = replace(city(units=4, inspectors=4, special=4), team_size=4)
    with pytest.raises(FailedPrecondition, match="only 3 inspectors can be sent to U0000"):
        d.draw(inputs)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"seed": "not-hex"}, "seed"),
        ({"seed": "ABCD" * 8}, "seed"),
        ({"team_size": 1}, "team_size"),
        ({"max_tasks_per_inspector": -1}, "max_tasks_per_inspector"),
        ({"classes": [d.DrawClass("key", 1001)]}, "classes[key].ratio"),
        ({"classes": [d.DrawClass("key", 1), d.DrawClass("key", 2)]}, "classes"),
        ({"units": [d.DrawUnit("A", "nope", "green", "x")]}, "units"),
        ({"units": [d.DrawUnit("A", "key", "green", "x")] * 2}, "units"),
        ({"inspectors": [d.DrawInspector("I", "x")] * 2}, "inspectors"),
    ],
)
def test_bad_inputs_are_refused_naming_the_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        d.draw(replace(city(), **change))  # type: ignore[arg-type]
    assert refused.value.field == field


def _fairness_inputs(k: int) -> tuple[d.DrawInputs, dict[str, int]]:
    """Six units whose credits weigh 1, 1, 1, 1.5, 2 and 3, in a class that draws k of them."""
    credits = ["green", "blue", "unrated", "yellow", "red", "black"]
    weights = dict(zip(credits, [1000, 1000, 1000, 1500, 2000, 3000], strict=True))
    klass = d.DrawClass("c", 1, credit_multipliers_permille=weights)  # tiny ratio: k = 1
    if k == 2:
        klass = replace(klass, ratio_permille=200)  # Σ 0.2 × w = 1.9 → 2
    units = [d.DrawUnit(_uscc(n), "c", credit, "a") for n, credit in enumerate(credits)]
    inspectors = [d.DrawInspector("I-1", "b"), d.DrawInspector("I-2", "b")]
    return d.DrawInputs(SEED, [klass], units, inspectors), {
        _uscc(n): weights[c] for n, c in enumerate(credits)
    }


def test_a_single_pick_is_drawn_in_proportion_to_its_weight() -> None:
    """χ² goodness of fit over 6 000 seeds: P(unit) = w / Σw for one pick."""
    inputs, weight = _fairness_inputs(1)
    trials = 6000
    seen = Counter(d.draw(replace(inputs, seed=f"{n:032x}")).selections[0].uscc for n in range(trials))
    total = sum(weight.values())
    chi2 = sum((seen[u] - trials * w / total) ** 2 / (trials * w / total) for u, w in weight.items())
    assert chi2 < CHI2_001[5], (chi2, seen)


def test_pairs_follow_successive_sampling_without_replacement() -> None:
    """χ² over the 15 unordered pairs: P({i, j}) = wi/W · wj/(W−wi) + wj/W · wi/(W−wj)."""
    inputs, weight = _fairness_inputs(2)
    trials = 6000
    seen = Counter(
        frozenset(s.uscc for s in d.draw(replace(inputs, seed=f"{n:032x}")).selections) for n in range(trials)
    )
    total = sum(weight.values())
    expected: dict[frozenset[str], float] = {}
    for i, j in permutations(weight, 2):
        pair = frozenset((i, j))
        expected[pair] = expected.get(pair, 0.0) + weight[i] / total * weight[j] / (total - weight[i])
    assert len(expected) == 15 and abs(sum(expected.values()) - 1) < 1e-9
    chi2 = sum((seen[p] - trials * q) ** 2 / (trials * q) for p, q in expected.items())
    assert chi2 < CHI2_001[14], (chi2, seen)


def _verify(published: dict[str, object], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(published, ensure_ascii=False), encoding="utf-8")
    return subprocess.run([sys.executable, str(VERIFIER), str(path)], capture_output=True, text=True)


def test_the_standalone_verifier_finds_a_published_draw_identical(tmp_path: Path) -> None:
    for seed in (SEED, "0123456789abcdef" * 2, "f" * 128):
        inputs = replace(city(units=40, inspectors=12), seed=seed, max_tasks_per_inspector=6)
        run = _verify(d.published(inputs, d.draw(inputs)), tmp_path)
        assert (run.returncode, run.stdout.strip()) == (0, "identical"), run.stderr


@pytest.mark.parametrize("tamper", ["selection", "team", "seed", "credit"])
def test_the_standalone_verifier_says_where_a_tampered_draw_differs(tamper: str, tmp_path: Path) -> None:
    inputs = city(units=40, inspectors=12)
    published = d.published(inputs, d.draw(inputs))
    selections, units = published["selections"], published["units"]
    assert isinstance(selections, list) and isinstance(units, list)
    if tamper == "selection":
        selections[0]["uscc"] = "U9999"
    elif tamper == "team":
        selections[-1]["inspector_ids"] = list(reversed(selections[-1]["inspector_ids"]))
    elif tamper == "seed":
        published["seed"] = "0" * 64
    else:
        units[7]["credit"] = "red" if units[7]["credit"] != "red" else "green"
    run = _verify(published, tmp_path)
    assert run.returncode == 1 and run.stdout.startswith("differs:"), run.stdout + run.stderr
    if tamper in ("seed", "credit"):
        assert "inputs_sha256" in run.stdout
    else:
        assert "selection" in run.stdout and "inputs_sha256" not in run.stdout
