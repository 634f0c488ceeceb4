"""Domain objects for enforcement's unit tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.enforcement.adapters import data_files
from services.enforcement.domain.case import Case, Stage
from services.enforcement.domain.decisions import DecisionIn, Harm, Investigation, PenaltyKind
from services.enforcement.domain.problem import Source
from services.enforcement.domain.values import Actor, GeoPoint

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
OFFICER = Actor("bureau", "officer", "")
USCC = "91330100716105852F"
CATALOGUE = data_files.catalogue(data_files.read("legal_provisions.json"))
WAIVERS = data_files.waiver_list(data_files.read("minor_violations.json"))
SCHEDULE = data_files.schedule(data_files.read("stage_deadlines.json"))


def case(stage: Stage = Stage.DISCOVERED, **overrides: object) -> Case:
    """A case at `stage`."""
    values: dict[str, object] = dict(
        case_id="c1",
        case_number="CX-2026-000001",
        title="三八江 NH3N",
        source=Source.EXCEEDANCE,
        uscc=USCC,
        station_id="W002",
        location=GeoPoint(30.178, 121.261),
        town="浒山",
        grid_id="g-hushan",
        opened_at=NOW,
        stage=stage,
        due_at=SCHEDULE.due(stage, NOW),
    )
    values.update(overrides)
    return Case(**values)  # type: ignore[arg-type]


def investigation(*, first: bool = True, harm: Harm = Harm.SLIGHT, corrected: bool = True) -> Investigation:
    """An investigation's findings."""
    return Investigation("超标排放", ("COD",), first, harm, corrected, ("i1", "i2"), NOW, OFFICER)


def decision_in(**overrides: object) -> DecisionIn:
    """A fine under WPPL-83-2 unless overridden."""
    values: dict[str, object] = dict(
        document_number="慈环罚〔2026〕1号",
        waived=False,
        waiver_list_item="",
        violation="",
        legal_basis="WPPL-83-2",
        penalties=(PenaltyKind.FINE,),
        fine_fen=20_000_000,
        confiscated_fen=0,
        permit_number="",
        suspension_days=0,
        rectify_by=NOW + timedelta(days=30),
        decided_by=OFFICER,
    )
    values.update(overrides)
    return DecisionIn(**values)  # type: ignore[arg-type]
