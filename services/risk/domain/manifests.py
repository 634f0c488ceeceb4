"""Hazardous-waste transfer manifests (危险废物转移联单; 危险废物转移管理办法, 2021): each manifest moves
one waste from a producer through generated -> collected -> transported -> received -> disposed, with
the quantity weighed at every step. A quantity that differs from the generated one by more than the
tolerance is a mismatch; a manifest not disposed by its deadline is stuck. Each is announced once.

Unified collection (小微企业危险废物统一收集): one collector's run picks up from many small producers,
one manifest per producer; the run is reconciled producer by producer.

The tolerance and the deadline are local practice, configurable, not national figures.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from services.risk.domain.values import positive, text
from shared.errors import FailedPrecondition, InvalidArgument

DEFAULT_TOLERANCE = 0.05  # 5 % of the generated quantity (weighing and moisture)
DEFAULT_DEADLINE = timedelta(days=30)  # generated to disposed


class ManifestStep(enum.IntEnum):
    """The steps in order; the value is the position."""

    GENERATED = 0
    COLLECTED = 1
    TRANSPORTED = 2
    RECEIVED = 3
    DISPOSED = 4


@dataclass(frozen=True)
class StepRecord:
    """One step: the quantity weighed, when and by whom."""

    step: ManifestStep
    quantity_kg: float
    at: datetime
    by: str


@dataclass(frozen=True)
class Manifest:
    """A transfer manifest."""

    manifest_id: str
    producer_uscc: str
    waste_code: str  # 国家危险废物名录 code, e.g. 336-064-17 (electroplating sludge)
    waste_name: str
    receiver: str
    deadline: datetime
    steps: tuple[StepRecord, ...]
    run_id: str = ""
    # Steps whose mismatch was announced; True once the stuck lapse was announced.
    mismatch_announced: tuple[ManifestStep, ...] = field(default_factory=tuple)
    stuck_announced: bool = False

    @property
    def status(self) -> ManifestStep:
        """The last step reached."""
        return self.steps[-1].step

    @property
    def generated_kg(self) -> float:
        """The quantity the producer declared."""
        return self.steps[0].quantity_kg

    def quantity_at(self, step: ManifestStep) -> float | None:
        """The quantity weighed at a step, if reached."""
        return next((s.quantity_kg for s in self.steps if s.step is step), None)


def new_manifest(
    *,
    manifest_id: str,
    producer_uscc: str,
    waste_code: str,
    waste_name: str,
    receiver: str,
    quantity_kg: float,
    by: str,
    now: datetime,
    deadline: timedelta = DEFAULT_DEADLINE,
    run_id: str = "",
) -> Manifest:
    """A generated manifest."""
    return Manifest(
        manifest_id=manifest_id,
        producer_uscc=producer_uscc,
        waste_code=text("waste_code", waste_code, max_len=20),
        waste_name=text("waste_name", waste_name, required=False, max_len=200),
        receiver=text("receiver", receiver, max_len=200),
        deadline=now + deadline,
        steps=(StepRecord(ManifestStep.GENERATED, positive("quantity_kg", quantity_kg), now, by),),
        run_id=run_id,
    )


def advance(m: Manifest, step: ManifestStep, *, quantity_kg: float, by: str, now: datetime) -> Manifest:
    """The manifest at its next step, with the quantity weighed there; steps are never skipped."""
    expected = ManifestStep(m.status + 1) if m.status < ManifestStep.DISPOSED else None
    if step is not expected:
        raise FailedPrecondition(
            f"manifest {m.manifest_id} is {m.status.name.lower()}; "
            + (f"the next step is {expected.name.lower()}" if expected else "it has no further step")
        )
    if quantity_kg < 0:
        raise InvalidArgument("quantity_kg", "must not be negative")
    return replace(m, steps=(*m.steps, StepRecord(step, quantity_kg, now, by)))


@dataclass(frozen=True)
class Mismatch:
    """A step whose quantity differs from the generated one beyond the tolerance."""

    step: ManifestStep
    expected_kg: float
    actual_kg: float

    @property
    def ratio(self) -> float:
        """The relative difference (actual - expected) / expected."""
        return (self.actual_kg - self.expected_kg) / self.expected_kg


def mismatch(m: Manifest, tolerance: float = DEFAULT_TOLERANCE) -> Mismatch | None:
    """The first step (after generation) beyond the tolerance that was not announced yet."""
    for record in m.steps[1:]:
        if record.step in m.mismatch_announced:
            continue
        if abs(record.quantity_kg - m.generated_kg) > tolerance * m.generated_kg:
            return Mismatch(record.step, m.generated_kg, record.quantity_kg)
    return None


def announce_mismatch(m: Manifest, found: Mismatch) -> Manifest:
    """The manifest with this mismatch recorded as announced."""
    return replace(m, mismatch_announced=(*m.mismatch_announced, found.step))


def is_stuck(m: Manifest, now: datetime) -> bool:
    """Past its deadline and not disposed, and not announced yet."""
    return not m.stuck_announced and m.status is not ManifestStep.DISPOSED and now >= m.deadline


def announce_stuck(m: Manifest) -> Manifest:
    """The manifest with its stuck lapse recorded as announced."""
    return replace(m, stuck_announced=True)


@dataclass(frozen=True)
class ProducerLine:
    """One producer's part of a collection run."""

    producer_uscc: str
    manifest_id: str
    declared_kg: float
    collected_kg: float | None
    received_kg: float | None
    within_tolerance: bool

    @property
    def difference_kg(self) -> float | None:
        """Received (or collected, before receipt) minus declared."""
        last = self.received_kg if self.received_kg is not None else self.collected_kg
        return None if last is None else last - self.declared_kg


@dataclass(frozen=True)
class RunReconciliation:
    """A collection run reconciled per producer."""

    run_id: str
    lines: tuple[ProducerLine, ...]

    @property
    def declared_kg(self) -> float:
        """What the producers declared in all."""
        return sum(line.declared_kg for line in self.lines)

    @property
    def received_kg(self) -> float:
        """What the receiver weighed in all (producers not yet received count 0)."""
        return sum(line.received_kg or 0 for line in self.lines)

    @property
    def mismatched(self) -> tuple[str, ...]:
        """The producers whose quantities do not reconcile."""
        return tuple(line.producer_uscc for line in self.lines if not line.within_tolerance)


def reconcile_run(
    run_id: str, manifests: list[Manifest], tolerance: float = DEFAULT_TOLERANCE
) -> RunReconciliation:
    """Each producer's declared, collected and received quantities, and whether they agree."""
    lines = []
    for m in sorted(manifests, key=lambda x: (x.producer_uscc, x.manifest_id)):
        collected = m.quantity_at(ManifestStep.COLLECTED)
        received = m.quantity_at(ManifestStep.RECEIVED)
        within = all(
            q is None or abs(q - m.generated_kg) <= tolerance * m.generated_kg for q in (collected, received)
        )
        lines.append(
            ProducerLine(m.producer_uscc, m.manifest_id, m.generated_kg, collected, received, within)
        )
    return RunReconciliation(run_id, tuple(lines))
