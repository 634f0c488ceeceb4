"""Hazardous-waste manifests: steps in order, mismatch and stuck detection once, small-producer runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.risk.domain import manifests as mf
from services.risk.domain.manifests import ManifestStep as Step
from shared.errors import FailedPrecondition

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def _manifest(kg: float = 1000, producer: str = "P1", run: str = "") -> mf.Manifest:
    return mf.new_manifest(
        manifest_id=f"M-{producer}", producer_uscc=producer, waste_code="336-064-17", waste_name="sludge",
        receiver="Ningbo disposal", quantity_kg=kg, by="producer", now=T0, run_id=run,
    )  # fmt: skip


def _through(m: mf.Manifest, *quantities: float) -> mf.Manifest:
    for step, kg in zip(
        (Step.COLLECTED, Step.TRANSPORTED, Step.RECEIVED, Step.DISPOSED), quantities, strict=False
    ):
        m = mf.advance(m, step, quantity_kg=kg, by="x", now=T0 + timedelta(days=1))
    return m


def test_steps_go_in_order() -> None:
    m = _manifest()
    with pytest.raises(FailedPrecondition, match="next step is collected"):
        mf.advance(m, Step.RECEIVED, quantity_kg=1000, by="x", now=T0)
    done = _through(m, 1000, 1000, 1000, 1000)
    assert done.status is Step.DISPOSED
    with pytest.raises(FailedPrecondition, match="no further step"):
        mf.advance(done, Step.DISPOSED, quantity_kg=1000, by="x", now=T0)


def test_mismatch_beyond_tolerance_is_found_once() -> None:
    within = _through(_manifest(), 1000, 990, 951)  # -4.9 %
    assert mf.mismatch(within) is None
    short = _through(_manifest(), 1000, 1000, 940)  # -6 % at receipt
    found = mf.mismatch(short)
    assert found is not None and found.step is Step.RECEIVED and found.ratio == pytest.approx(-0.06)
    announced = mf.announce_mismatch(short, found)
    assert mf.mismatch(announced) is None
    assert mf.mismatch(_through(_manifest(), 1000, 1000, 940), tolerance=0.10) is None


def test_stuck_past_deadline_once_and_never_when_disposed() -> None:
    m = _through(_manifest(), 1000)
    assert not mf.is_stuck(m, m.deadline - timedelta(seconds=1))
    assert mf.is_stuck(m, m.deadline)
    assert not mf.is_stuck(mf.announce_stuck(m), m.deadline + timedelta(days=5))
    assert not mf.is_stuck(_through(_manifest(), 1000, 1000, 1000, 1000), m.deadline)


def test_small_producer_run_reconciled_per_producer() -> None:
    run = [
        _through(_manifest(200, "P1", "R1"), 200, 200, 199),
        _through(_manifest(150, "P2", "R1"), 150, 150, 120),  # 30 kg lost between pickup and receipt
        _through(_manifest(80, "P3", "R1"), 80),  # collected, not yet received
    ]
    rec = mf.reconcile_run("R1", run)
    assert [line.producer_uscc for line in rec.lines] == ["P1", "P2", "P3"]
    assert rec.mismatched == ("P2",)
    assert rec.declared_kg == 430 and rec.received_kg == 319
    assert rec.lines[1].difference_kg == -30
    assert rec.lines[2].received_kg is None and rec.lines[2].difference_kg == 0
