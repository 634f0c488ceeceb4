"""HJ 941-2018 grading: every band of Q, M and E, the matrices, the higher medium, the written form.

Each expected value was worked out by hand from the standard's clauses and tables cited in
services/risk/domain/classification.py.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.risk.domain import classification as c
from services.risk.domain.classification import AirReceptors, AssessmentInput, Medium, ProcessAndControls
from services.risk.domain.classification import WaterReceptor as W
from services.risk.domain.values import RiskLevel
from shared.errors import InvalidArgument

G, S, M = RiskLevel.GENERAL, RiskLevel.SIGNIFICANT, RiskLevel.MAJOR


@pytest.mark.parametrize(
    ("q", "level"),
    [("0", 0), ("0.999", 0), ("1", 1), ("9.999", 1), ("10", 2), ("99.99", 2), ("100", 3), ("2500", 3)],
)
def test_q_bands_clause_6_1(q: str, level: int) -> None:
    assert c.q_level(Decimal(q)) == level


def test_q_sums_each_substance_over_its_critical_quantity() -> None:
    # chlorine 1 t, ammonia 5 t: 3/1 + 10/5 = 5 for air. Water: ammonia dissolves (2), chlorine not.
    holdings = {"chlorine": 3, "ammonia": 10}
    assert c.q_value(holdings, Medium.AIR) == Decimal(5)
    assert c.q_value(holdings, Medium.WATER) == Decimal(2)


def test_q_lands_exactly_on_a_band_edge() -> None:
    # 0.1 + 0.2 in floats is 0.30000000000000004; in decimals 3 x (0.1/0.3 ...) must give exactly 1.
    holdings = {"formaldehyde": 0.1, "chlorine": 0.8}  # 0.1/0.5 + 0.8/1 = 0.2 + 0.8 = 1
    assert c.q_value(holdings, Medium.AIR) == Decimal(1)
    assert c.q_level(c.q_value(holdings, Medium.AIR)) == 1


def test_media_follow_the_parts_of_appendix_a() -> None:
    # Clause 6.1: part 7 heavy metals do not count for air; clause 7.1: they do for water.
    # Part 8's waste liquids (COD, NH3-N) count for water only.
    holdings = {"chromium_compounds": 2.5, "cod_waste_liquid": 100}
    assert c.q_value(holdings, Medium.AIR) == 0
    assert c.q_value(holdings, Medium.WATER) == Decimal(20)
    # Part 1 chlorine (not in clause 7.1's soluble list) counts for air only.
    assert c.q_value({"chlorine": 5}, Medium.WATER) == 0


def test_unknown_substance_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="substances"):
        c.q_value({"unobtainium": 1}, Medium.AIR)


@pytest.mark.parametrize(
    ("score", "level"), [(0, 1), (24, 1), (25, 2), (44, 2), (45, 3), (59, 3), (60, 4), (100, 4)]
)
def test_m_bands_table_4(score: int, level: int) -> None:
    assert c.m_level(score) == level


def test_m_score_caps_the_process_item_at_30() -> None:
    # 4 listed processes (40) are capped at 30; + lacking controls 25 + a general incident 10 = 65 -> M4.
    pc = ProcessAndControls(listed_process_units=4, control_shortfall_points=25, incidents_3y="general")
    assert c.m_score(pc) == 65
    assert c.m_level(c.m_score(pc)) == 4
    # 1 listed (10) + 2 other (10) + 1 obsolete (5) = 25 -> M2.
    assert c.m_score(ProcessAndControls(1, 2, 1)) == 25


def test_m_inputs_out_of_range_are_refused() -> None:
    with pytest.raises(InvalidArgument, match="control_shortfall_points"):
        c.m_score(ProcessAndControls(control_shortfall_points=51))
    with pytest.raises(InvalidArgument, match="incidents_3y"):
        c.m_score(ProcessAndControls(incidents_3y="huge"))


@pytest.mark.parametrize(
    ("receptors", "level"),
    [
        (AirReceptors(50_001, 0), 1),
        (AirReceptors(0, 1_001), 1),
        (AirReceptors(100, 10, restricted_area_within_5km=True), 1),
        (AirReceptors(50_000, 1_000), 2),
        (AirReceptors(10_001, 0), 2),
        (AirReceptors(0, 501), 2),
        (AirReceptors(10_000, 500), 3),
        (AirReceptors(0, 0), 3),
    ],
)
def test_air_e_bands_clause_6_3(receptors: AirReceptors, level: int) -> None:
    assert c.air_e_level(receptors) == level


@pytest.mark.parametrize(
    ("receptor", "level"), [(W.DRINKING_WATER_SOURCE, 1), (W.ECOLOGICAL_AREA, 2), (W.NONE, 3)]
)
def test_water_e_types_clause_7_3(receptor: W, level: int) -> None:
    assert c.water_e_level(receptor) == level


# Every cell of the matrix (tables 6 and 9), as read from the standard: (E, Q) -> levels for M1..M4.
MATRIX_ROWS = [
    (1, 1, (S, S, M, M)),
    (1, 2, (S, M, M, M)),
    (1, 3, (M, M, M, M)),
    (2, 1, (G, S, S, M)),
    (2, 2, (S, S, M, M)),
    (2, 3, (S, M, M, M)),
    (3, 1, (G, G, S, S)),
    (3, 2, (G, S, S, M)),
    (3, 3, (S, S, M, M)),
]
# An M score in each band and a Q in each band.
M_FOR = {
    1: ProcessAndControls(),
    2: ProcessAndControls(3),
    3: ProcessAndControls(3, control_shortfall_points=15),
}
M_FOR[4] = ProcessAndControls(3, control_shortfall_points=30)
Q_FOR = {1: Decimal(5), 2: Decimal(50), 3: Decimal(500)}


@pytest.mark.parametrize(("e", "q", "row"), MATRIX_ROWS)
def test_every_matrix_cell(e: int, q: int, row: tuple[RiskLevel, ...]) -> None:
    for m in (1, 2, 3, 4):
        result = c.grade_medium(Medium.AIR, Q_FOR[q], M_FOR[m], e)
        assert (result.q_level, result.m_level, result.e_level) == (q, m, e)
        assert result.level is row[m - 1], f"E{e} Q{q} M{m}"


def test_q0_is_general_whatever_m_and_e() -> None:
    result = c.grade_medium(Medium.WATER, Decimal("0.5"), M_FOR[4], 1)
    assert result.level is G
    assert result.written == "一般-水(Q0)"


def _inp(holdings: dict[str, float], **kw: object) -> AssessmentInput:
    defaults: dict[str, object] = dict(
        air_process=ProcessAndControls(),
        water_process=ProcessAndControls(),
        air_receptors=AirReceptors(0, 0),
        water_receptor=W.NONE,
    )
    defaults.update(kw)
    return AssessmentInput(holdings_t=holdings, **defaults)  # type: ignore[arg-type]


def test_the_written_form_and_the_higher_medium() -> None:
    # Air: chlorine 20 t -> Q = 20 (Q2); M 30 (3 listed processes) -> M2; 5 000 people within 5 km
    # -> E3: E3/Q2/M2 = 较大 (the form of a real filing: 较大[较大-大气(Q2-M2-E3)...]). Water:
    # ammonia 10 t -> Q = 2 (Q1); M 0 -> M1; an ecological area -> E2: E2/Q1/M1 = 一般.
    # (The issue's example 较大-大气(Q2-M2-E1) cannot occur: table 6 gives E1/Q2/M2 重大.)
    result = c.classify(
        _inp(
            {"chlorine": 20, "ammonia": 10},
            air_process=ProcessAndControls(3),
            air_receptors=AirReceptors(5_000, 0),
            water_receptor=W.ECOLOGICAL_AREA,
        )
    )
    assert result.air.written == "较大-大气(Q2-M2-E3)"
    assert result.water.written == "一般-水(Q1-M1-E2)"
    assert result.level is S
    assert result.code == "较大[较大-大气(Q2-M2-E3)+一般-水(Q1-M1-E2)]"


def test_water_can_be_the_higher_medium() -> None:
    # Electroplating: chromium 25 t -> water Q = 100 (Q3), a drinking-water source downstream (E1)
    # -> 重大 for water whatever M; air has no air substance -> 一般-大气(Q0).
    result = c.classify(_inp({"chromium_compounds": 25}, water_receptor=W.DRINKING_WATER_SOURCE))
    assert result.level is M
    assert result.code == "重大[一般-大气(Q0)+重大-水(Q3-M1-E1)]"


def test_a_penalty_in_three_years_raises_one_level_capped_at_major() -> None:
    general = c.classify(_inp({"chlorine": 0.5}, penalised_within_3_years=True))
    assert general.level is S
    major = c.classify(
        _inp(
            {"chromium_compounds": 25}, water_receptor=W.DRINKING_WATER_SOURCE, penalised_within_3_years=True
        )
    )
    assert major.level is M


def test_negative_holdings_are_refused() -> None:
    with pytest.raises(InvalidArgument, match=r"substances\.chlorine"):
        c.classify(_inp({"chlorine": -1}))


def test_the_issues_example_inputs_grade_major_for_air() -> None:
    # The issue wrote 较大[较大-大气(Q2-M2-E1)+一般-水(Q1-M1-E2)]. Grading exactly those bands: air
    # chlorine 20 t -> Q 20 (Q2); 3 listed process units -> M 30 (M2); 60 000 people within 5 km -> E1:
    # the matrix's E1 row gives Q2/M2 重大, not 较大. Water: ammonia 10 t -> Q 2 (Q1), M 0 (M1), an
    # ecological area (E2): 一般, as the example says. So the enterprise is 重大, written as below.
    result = c.classify(
        _inp(
            {"chlorine": 20, "ammonia": 10},
            air_process=ProcessAndControls(3),
            air_receptors=AirReceptors(60_000, 0),
            water_receptor=W.ECOLOGICAL_AREA,
        )
    )
    assert (result.air.q_code, result.air.m_code, result.air.e_code) == ("Q2", "M2", "E1")
    assert (result.water.q_code, result.water.m_code, result.water.e_code) == ("Q1", "M1", "E2")
    assert result.code == "重大[重大-大气(Q2-M2-E1)+一般-水(Q1-M1-E2)]"


# Clause 7.1 names the gases of parts 1 and 2 that count for water (those dissolving in or reacting
# with water); of this subset: ammonia, hydrogen chloride, sulphur dioxide, formaldehyde. Chlorine,
# hydrogen sulphide, methane, LPG and hydrogen are not on that list.
@pytest.mark.parametrize(
    ("code", "counts"),
    [
        ("ammonia", True),
        ("hydrogen_chloride", True),
        ("sulfur_dioxide", True),
        ("formaldehyde", True),
        ("chlorine", False),
        ("hydrogen_sulfide", False),
        ("methane", False),
        ("lpg", False),
        ("hydrogen", False),
    ],
)
def test_gases_count_for_water_only_when_clause_7_1_lists_them(code: str, counts: bool) -> None:
    assert c.SUBSTANCES[code].counts_for_water is counts
    assert c.SUBSTANCES[code].counts_for_air  # parts 1 and 2 all count for air (clause 6.1)
