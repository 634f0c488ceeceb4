"""The closed loop: every legal step, every illegal one refused naming the current stage."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.enforcement.domain.case import NEXT, Outcome, Stage, advance, close
from shared.errors import FailedPrecondition, InvalidArgument
from tests.unit.enforcement.factories import NOW, OFFICER, case, decision_in

OPEN_STAGES = [s for s in Stage if s is not Stage.CLOSED]


@pytest.mark.parametrize("stage", OPEN_STAGES)
def test_each_stage_moves_only_to_its_successor(stage: Stage) -> None:
    c = case(stage)
    moved = advance(c, NEXT[stage], action="step", actor=OFFICER, note="ok", at=NOW, due_at=None)
    assert moved.stage is NEXT[stage]
    assert moved.history[-1].from_stage is stage and moved.history[-1].note == "ok"
    for target in Stage:
        if target is NEXT[stage]:
            continue
        with pytest.raises(FailedPrecondition, match=f"is {stage.value.upper()}"):
            advance(c, target, action="step", actor=OFFICER, note="", at=NOW, due_at=None)


def test_a_closed_case_moves_nowhere() -> None:
    c = case(Stage.CLOSED, outcome=Outcome.NO_VIOLATION)
    for target in Stage:
        with pytest.raises(FailedPrecondition, match="is CLOSED"):
            advance(c, target, action="step", actor=OFFICER, note="", at=NOW, due_at=None)
    with pytest.raises(FailedPrecondition, match="is CLOSED"):
        close(c, Outcome.NO_VIOLATION, actor=OFFICER, note="", at=NOW)


@pytest.mark.parametrize("stage", [Stage.DISCOVERED, Stage.TRACED, Stage.EVIDENCE_LOCKED, Stage.INVESTIGATED])
@pytest.mark.parametrize("outcome", [Outcome.NO_VIOLATION, Outcome.TRANSFERRED])
def test_an_undecided_case_closes_early_only_as_no_violation_or_transferred(
    stage: Stage, outcome: Outcome
) -> None:
    closed = close(case(stage), outcome, actor=OFFICER, note="误报", at=NOW)
    assert (closed.stage, closed.outcome, closed.closed_at, closed.due_at) == (
        Stage.CLOSED,
        outcome,
        NOW,
        None,
    )
    for wrong in (Outcome.PENALIZED, Outcome.WAIVED, Outcome.OPEN):
        with pytest.raises(FailedPrecondition, match=f"is {stage.value.upper()}"):
            close(case(stage), wrong, actor=OFFICER, note="", at=NOW)


def test_a_decided_case_must_be_rectified_before_it_closes() -> None:
    with pytest.raises(FailedPrecondition, match="is DECIDED"):
        close(case(Stage.DECIDED), Outcome.NO_VIOLATION, actor=OFFICER, note="", at=NOW)


def test_a_rectified_case_closes_with_its_decisions_outcome() -> None:
    from services.enforcement.domain.decisions import Decision

    fine = Decision("d1", "u", NOW, decision_in(), NOW, "v")
    waiver = Decision("d2", "u", NOW, replace(decision_in(), waived=True), NOW, "v")
    assert close(
        case(Stage.RECTIFIED, decision=fine), Outcome.OPEN, actor=OFFICER, note="", at=NOW
    ).outcome is (Outcome.PENALIZED)
    assert close(
        case(Stage.RECTIFIED, decision=waiver), Outcome.OPEN, actor=OFFICER, note="", at=NOW
    ).outcome is (Outcome.WAIVED)
    with pytest.raises(InvalidArgument, match="outcome"):
        close(case(Stage.RECTIFIED, decision=waiver), Outcome.PENALIZED, actor=OFFICER, note="", at=NOW)
