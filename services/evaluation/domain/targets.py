"""KPI targets and scorecard weights, as data (data/targets.json): the plan's targets where it names
one (REFERENCE.md "Targets named in the plan": radiation permits and disposal 100 %, automatic
monitoring of sections 100 %, eco-civilisation share of the assessment ≥ 25 %), local settings else."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Targets:
    targets: dict[str, float]
    weights: dict[str, float]
    eco_share: float

    def target(self, name: str) -> float:
        """The target of a KPI (1.0 when none is configured)."""
        return self.targets.get(name, 1.0)

    def weight(self, name: str) -> float:
        """The KPI's weight in a scorecard (0: not scored)."""
        return self.weights.get(name, 0.0)


def from_dict(doc: dict[str, Any]) -> Targets:
    """Targets from their JSON document; ValueError naming the field that is wrong."""
    targets, weights = {}, {}
    for name, entry in doc.get("kpis", {}).items():
        target, weight = float(entry.get("target", 1.0)), float(entry.get("weight", 0.0))
        if not 0 < target <= 1:
            raise ValueError(f"targets.kpis.{name}.target: must be in (0, 1], got {target}")
        if weight < 0:
            raise ValueError(f"targets.kpis.{name}.weight: must not be negative")
        targets[name], weights[name] = target, weight
    share = float(doc.get("eco_share", 0.25))
    if not 0 < share <= 1:
        raise ValueError(f"targets.eco_share: must be in (0, 1], got {share}")
    return Targets(targets, weights, share)


def load(path: Path) -> Targets:
    """Targets from a JSON file."""
    return from_dict(json.loads(path.read_text(encoding="utf-8")))
