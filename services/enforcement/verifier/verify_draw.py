#!/usr/bin/env python3
"""Recompute a published double-random draw and say whether it is identical.

    python3 verify_draw.py draw.json

Python standard library only. Written from README.md beside this file (algorithm
sha256-successive-v1), independently of the platform's own code, so that it checks the platform
rather than repeating it. Exit status 0 when identical, 1 when it differs, 2 when unreadable.
"""

from __future__ import annotations

import hashlib
import json
import sys

ALGORITHM = "sha256-successive-v1"
INPUT_KEYS = ("algorithm", "seed", "team_size", "max_tasks_per_inspector", "classes", "units", "inspectors")
MILLION = 1_000_000


def hash_int(*parts):
    """H(a, b, ...): SHA-256 of the parts joined with '|', big-endian."""
    return int.from_bytes(hashlib.sha256("|".join(parts).encode("utf-8")).digest(), "big")


def canonical_hash(draw):
    """SHA-256 of the canonical JSON of the inputs."""
    inputs = {key: draw[key] for key in INPUT_KEYS}
    inputs["classes"] = sorted(inputs["classes"], key=lambda c: c["code"])
    inputs["units"] = sorted(inputs["units"], key=lambda u: u["uscc"])
    inputs["inspectors"] = [
        dict(i, conflicts=sorted(i["conflicts"]))
        for i in sorted(inputs["inspectors"], key=lambda i: i["inspector_id"])
    ]
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def recompute(draw):
    """The selections the published inputs and seed give: [(uscc, class_code, [inspector ids])]."""
    seed = draw["seed"]
    chosen = []
    for klass in sorted(draw["classes"], key=lambda c: c["code"]):
        pool = sorted((u for u in draw["units"] if u["class_code"] == klass["code"]), key=lambda u: u["uscc"])
        if klass["always_include"]:
            chosen += pool
            continue
        multipliers = klass["credit_multipliers_permille"]
        weights = [multipliers.get(u["credit"], 1000) for u in pool]
        total = sum(min(MILLION, klass["ratio_permille"] * w) for w in weights)
        for step in range(min(len(pool), (total + MILLION - 1) // MILLION)):
            r = hash_int(seed, "unit", klass["code"], str(step)) % sum(weights)
            running = 0
            for index in range(len(pool)):
                running += weights[index]
                if running > r:
                    chosen.append(pool.pop(index))
                    weights.pop(index)
                    break
    cap = draw["max_tasks_per_inspector"]
    load = {i["inspector_id"]: 0 for i in draw["inspectors"]}
    result = []
    for unit in chosen:
        free = [
            i["inspector_id"]
            for i in draw["inspectors"]
            if i["home_area"] != unit["area"]
            and unit["uscc"] not in i["conflicts"]
            and (cap == 0 or load[i["inspector_id"]] < cap)
        ]
        if len(free) < draw["team_size"]:
            raise ValueError(f"not enough inspectors for {unit['uscc']}: the draw cannot be made")
        team = sorted(free, key=lambda i: hash_int(seed, "team", unit["uscc"], i))[: draw["team_size"]]
        for inspector in team:
            load[inspector] += 1
        result.append((unit["uscc"], unit["class_code"], team))
    return result


def differences(draw):
    """What differs between the published draw and its recomputation (empty: identical)."""
    if draw.get("algorithm") != ALGORITHM:
        return [f"unknown algorithm {draw.get('algorithm')!r}; this verifier knows {ALGORITHM}"]
    found = []
    digest = canonical_hash(draw)
    if digest != draw.get("inputs_sha256"):
        found.append(f"inputs_sha256: published {draw.get('inputs_sha256')}, inputs hash to {digest}")
    published = [(s["uscc"], s["class_code"], list(s["inspector_ids"])) for s in draw.get("selections", [])]
    expected = recompute(draw)
    for n in range(max(len(published), len(expected))):
        mine = expected[n] if n < len(expected) else None
        theirs = published[n] if n < len(published) else None
        if mine != theirs:
            found.append(f"selection {n + 1}: published {theirs}, recomputed {mine}")
    return found


def main(argv):
    """Read the draw, compare, print the verdict."""
    if len(argv) != 2:
        print("usage: verify_draw.py draw.json", file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            draw = json.load(f)
        found = differences(draw)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"cannot verify: {exc}", file=sys.stderr)
        return 2
    if not found:
        print("identical")
        return 0
    print("differs:")
    for line in found:
        print(f"  {line}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
