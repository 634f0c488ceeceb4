"""Scorecards: per town (or department), each KPI against its target, weighted, and ranked.

weighted score of a KPI = weight × min(value / target, 1) × 100 / Σ weights; KPIs with nothing to
count leave the card and their weight with them. The card's score is the sum; rank 1 is the best.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.evaluation.domain.kpis import Kpi
from services.evaluation.domain.targets import Targets


@dataclass(frozen=True)
class Line:
    kpi: Kpi
    weight: float
    weighted_score: float


@dataclass(frozen=True)
class Card:
    subject: str
    lines: tuple[Line, ...]
    score: float
    rank: int = 0
    ranked_of: int = 0


def card(subject: str, kpis: list[Kpi], targets: Targets) -> Card:
    """One subject's card (unranked)."""
    scored = [k for k in kpis if targets.weight(k.name) > 0 and not k.undefined]
    total = sum(targets.weight(k.name) for k in scored)
    lines = []
    for k in kpis:
        weight = targets.weight(k.name)
        share = min(k.value / k.target, 1.0) if k.target and not k.undefined else 0.0
        weighted = 100 * weight * share / total if total and k in scored else 0.0
        lines.append(Line(k, weight, round(weighted, 2)))
    return Card(subject, tuple(lines), round(sum(line.weighted_score for line in lines), 2))


def rank(cards: list[Card]) -> list[Card]:
    """Cards best first, with ranks (equal scores share a rank)."""
    ordered = sorted(cards, key=lambda c: (-c.score, c.subject))
    ranked: list[Card] = []
    for i, c in enumerate(ordered):
        same = ranked and ranked[-1].score == c.score
        ranked.append(Card(c.subject, c.lines, c.score, ranked[-1].rank if same else i + 1, len(ordered)))
    return ranked
