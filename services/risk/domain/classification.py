"""HJ 941-2018 (企业突发环境事件风险分级方法): an enterprise's risk level for air and for water, from
Q (risk substances against their critical quantities), M (process and controls) and E (sensitivity
of the receptors around), and the enterprise's level as the higher of the two, in the standard's
written form, e.g. 较大[较大-大气(Q2-M2-E3)+一般-水(Q1-M1-E2)].

Every band and matrix below is data with the clause it comes from. A form such as
较大-大气(Q2-M2-E1) cannot occur: the matrix's E1 row gives Q2 with M2 重大, so those inputs are written
重大-大气(Q2-M2-E1) and the enterprise 重大[...] (the matrix is the rule; a written form only reports it).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from services.risk.domain.substances import SUBSTANCES, Substance
from services.risk.domain.values import RiskLevel, finite, non_negative
from shared.errors import InvalidArgument


class Medium(enum.Enum):
    """The two media the standard grades separately (clause 6: air, clause 7: water)."""

    AIR = "air"
    WATER = "water"

    @property
    def chinese(self) -> str:
        """The medium as the written form names it."""
        return "大气" if self is Medium.AIR else "水"


# ---------------------------------------------------------------------------------------------- Q
# Clause 6.1 (and 7.1 for water): Q = q1/Q1 + q2/Q2 + ... ; Q < 1 is written Q0 and the medium's
# level is then general outright; 1 <= Q < 10 is Q1, 10 <= Q < 100 Q2, Q >= 100 Q3.
Q_BANDS: tuple[tuple[Decimal, int], ...] = ((Decimal(100), 3), (Decimal(10), 2), (Decimal(1), 1))


def q_value(holdings_t: Mapping[str, float], medium: Medium) -> Decimal:
    """Q for one medium: the sum of each counted substance's maximum quantity held over its critical
    quantity (Appendix A), in exact decimals so that a sum landing on a band edge is not 9.999…."""
    total = Decimal(0)
    for code, tonnes in holdings_t.items():
        substance = substance_or_raise(code)
        counted = substance.counts_for_air if medium is Medium.AIR else substance.counts_for_water
        if counted:
            total += Decimal(str(tonnes)) / Decimal(str(substance.critical_t))
    return total


def q_level(q: Decimal) -> int:
    """0 (Q0) to 3 (Q3) by the clause 6.1 bands."""
    for lower, level in Q_BANDS:
        if q >= lower:
            return level
    return 0


def substance_or_raise(code: str) -> Substance:
    """The substance of Appendix A's subset kept here, or InvalidArgument."""
    substance = SUBSTANCES.get(code)
    if substance is None:
        raise InvalidArgument(
            "substances", f"{code!r} is not in the risk-substance list (HJ 941-2018 Appendix A)"
        )
    return substance


# ---------------------------------------------------------------------------------------------- M
# Table 1 (生产工艺过程评估), used for both media: 10 points per unit of a listed hazardous process
# (光气化, 电解(氯碱), 氯化, 硝化, 合成氨, 裂解, 氟化, 加氢, 重氮化, 氧化, 过氧化, 胺基化, 磺化, 聚合,
# 烷基化, 新型煤化工, 电石, 偶氮化), 5 per unit of another high-temperature or high-pressure process
# with flammable or explosive substances, 5 per unit of a process or equipment the state lists for
# phasing out; the item is capped at 30. Units are counted one by one (two identical lines with two
# listed processes each are 4 units, 40 points, capped at 30: the ministry's answer on table 1 of
# 2020-10-30 to a question on HJ 941-2018).
PROCESS_POINTS_LISTED = 10
PROCESS_POINTS_OTHER = 5
PROCESS_POINTS_OBSOLETE = 5
PROCESS_CAP = 30
# Air: table 2 (大气环境风险防控措施); water: table 6 (水环境风险防控措施). The points of the measures
# found lacking are summed; each table sums to 50.
CONTROLS_CAP = 50
# Tables 3 and 7 (近3年内突发大气/水环境事件发生情况): the worst event of the last three years.
INCIDENT_POINTS = {"none": 0, "general": 10, "significant": 15, "major": 20}
# Table 4 (and the same bands for water): M < 25 M1, 25 <= M < 45 M2, 45 <= M < 60 M3, M >= 60 M4.
M_BANDS: tuple[tuple[int, int], ...] = ((60, 4), (45, 3), (25, 2))


@dataclass(frozen=True)
class ProcessAndControls:
    """What M is scored from for one medium."""

    listed_process_units: int = 0
    other_hazardous_process_units: int = 0
    obsolete_process_units: int = 0
    # Points of the control measures found lacking, as the medium's measures table scores them.
    control_shortfall_points: int = 0
    # Worst event of the last 3 years: "none", "general", "significant" or "major" (特别重大 counts as major).
    incidents_3y: str = "none"


def m_score(pc: ProcessAndControls, field: str = "m") -> int:
    """M's points: process (capped at 30) + lacking controls (0..50) + incidents (0..20)."""
    for name in ("listed_process_units", "other_hazardous_process_units", "obsolete_process_units"):
        if getattr(pc, name) < 0:
            raise InvalidArgument(f"{field}.{name}", "must not be negative")
    if not 0 <= pc.control_shortfall_points <= CONTROLS_CAP:
        raise InvalidArgument(
            f"{field}.control_shortfall_points",
            f"must be within 0..{CONTROLS_CAP}, got {pc.control_shortfall_points}",
        )
    if pc.incidents_3y not in INCIDENT_POINTS:
        raise InvalidArgument(
            f"{field}.incidents_3y", f"one of {', '.join(INCIDENT_POINTS)}, got {pc.incidents_3y!r}"
        )
    process = (
        PROCESS_POINTS_LISTED * pc.listed_process_units
        + PROCESS_POINTS_OTHER * pc.other_hazardous_process_units
        + PROCESS_POINTS_OBSOLETE * pc.obsolete_process_units
    )
    return min(process, PROCESS_CAP) + pc.control_shortfall_points + INCIDENT_POINTS[pc.incidents_3y]


def m_level(score: int) -> int:
    """1 (M1) to 4 (M4) by the table 4 bands."""
    for lower, level in M_BANDS:
        if score >= lower:
            return level
    return 1


# ---------------------------------------------------------------------------------------------- E
@dataclass(frozen=True)
class AirReceptors:
    """Clause 6.3 (table 5): people around the site."""

    population_within_5km: int = 0
    population_within_500m: int = 0
    # Military zones or state secret areas within 5 km make it E1 whatever the population.
    restricted_area_within_5km: bool = False


def air_e_level(r: AirReceptors) -> int:
    """1 (E1) to 3 (E3): E1 above 50 000 people within 5 km or above 1 000 within 500 m (or a
    restricted area); E2 above 10 000 within 5 km or above 500 within 500 m; otherwise E3."""
    if r.population_within_5km < 0 or r.population_within_500m < 0:
        raise InvalidArgument("air_receptors", "populations must not be negative")
    if r.restricted_area_within_5km or r.population_within_5km > 50_000 or r.population_within_500m > 1_000:
        return 1
    if r.population_within_5km > 10_000 or r.population_within_500m > 500:
        return 2
    return 3


class WaterReceptor(enum.Enum):
    """Clause 7.3 (table 8): the most sensitive receptor within 10 km downstream of the site's
    rainwater, clean-water and wastewater outlets."""

    # Type 1: drinking-water source protection areas (centralised, rural or scattered), or water
    # reaching a national border within 24 h.
    DRINKING_WATER_SOURCE = "drinking_water_source"
    # Type 2: aquatic ecological areas (nature reserves, fish germplasm reserves, aquaculture,
    # bathing beaches, important wetlands...), a provincial border, or a site on karst, flood
    # discharge or debris-flow ground.
    ECOLOGICAL_AREA = "ecological_area"
    # Type 3: neither.
    NONE = "none"


def water_e_level(receptor: WaterReceptor) -> int:
    """1 (E1) for type 1, 2 (E2) for type 2, 3 (E3) otherwise (clause 7.3)."""
    return {WaterReceptor.DRINKING_WATER_SOURCE: 1, WaterReceptor.ECOLOGICAL_AREA: 2, WaterReceptor.NONE: 3}[
        receptor
    ]


# ------------------------------------------------------------------------------------------ matrix
G, S, M = RiskLevel.GENERAL, RiskLevel.SIGNIFICANT, RiskLevel.MAJOR
# Tables 6 (air) and 9 (water) have the same cells: MATRIX[E][Q] is the row M1..M4.
MATRIX: dict[int, dict[int, tuple[RiskLevel, RiskLevel, RiskLevel, RiskLevel]]] = {
    1: {1: (S, S, M, M), 2: (S, M, M, M), 3: (M, M, M, M)},
    2: {1: (G, S, S, M), 2: (S, S, M, M), 3: (S, M, M, M)},
    3: {1: (G, G, S, S), 2: (G, S, S, M), 3: (S, S, M, M)},
}
AIR_MATRIX = MATRIX
WATER_MATRIX = MATRIX


@dataclass(frozen=True)
class MediumResult:
    """One medium's grading: its level and the Q, M, E behind it."""

    medium: Medium
    level: RiskLevel
    q: Decimal
    q_level: int
    m_score: int | None
    m_level: int | None
    e_level: int | None

    @property
    def q_code(self) -> str:
        """ "Q0" .. "Q3"."""
        return f"Q{self.q_level}"

    @property
    def m_code(self) -> str:
        """ "M1" .. "M4", or "" when Q0 made M irrelevant."""
        return f"M{self.m_level}" if self.m_level else ""

    @property
    def e_code(self) -> str:
        """ "E1" .. "E3", or "" when Q0 made E irrelevant."""
        return f"E{self.e_level}" if self.e_level else ""

    @property
    def written(self) -> str:
        """The medium's part of the form: 较大-大气(Q2-M2-E3), or 一般-水(Q0)."""
        inside = self.q_code if self.q_level == 0 else f"{self.q_code}-{self.m_code}-{self.e_code}"
        return f"{self.level.chinese}-{self.medium.chinese}({inside})"


def grade_medium(medium: Medium, q: Decimal, pc: ProcessAndControls, e: int) -> MediumResult:
    """One medium's level: general outright when Q < 1 (clause 6.1/7.1), else the matrix cell."""
    ql = q_level(q)
    if ql == 0:
        return MediumResult(medium, RiskLevel.GENERAL, q, 0, None, None, None)
    score = m_score(pc, field=f"{medium.value}.process")
    ml = m_level(score)
    matrix = AIR_MATRIX if medium is Medium.AIR else WATER_MATRIX
    return MediumResult(medium, matrix[e][ql][ml - 1], q, ql, score, ml, e)


@dataclass(frozen=True)
class Classification:
    """The enterprise's grading: both media, the higher level, and clause 8.2's adjustment."""

    air: MediumResult
    water: MediumResult
    raised_for_penalty: bool = False

    @property
    def level(self) -> RiskLevel:
        """The higher of air and water (clause 8.1), raised one step (capped at MAJOR) for an
        enterprise penalised in the last 3 years for illegal discharge or illegal transfer or
        disposal of hazardous waste (clause 8.2)."""
        base = max(self.air.level, self.water.level)
        return base.raised(1) if self.raised_for_penalty else base

    @property
    def code(self) -> str:
        """The written form: 较大[较大-大气(Q2-M2-E3)+一般-水(Q1-M1-E2)]."""
        return f"{self.level.chinese}[{self.air.written}+{self.water.written}]"


@dataclass(frozen=True)
class AssessmentInput:
    """What an assessment is graded from."""

    holdings_t: Mapping[str, float]
    air_process: ProcessAndControls
    water_process: ProcessAndControls
    air_receptors: AirReceptors
    water_receptor: WaterReceptor
    penalised_within_3_years: bool = False


def classify(inp: AssessmentInput) -> Classification:
    """Grade an enterprise by HJ 941-2018: Q, M, E per medium, the matrices, the higher of the two."""
    for code, tonnes in inp.holdings_t.items():
        substance_or_raise(code)
        non_negative(f"substances.{code}", finite(f"substances.{code}", tonnes))
    air = grade_medium(
        Medium.AIR, q_value(inp.holdings_t, Medium.AIR), inp.air_process, air_e_level(inp.air_receptors)
    )
    water = grade_medium(
        Medium.WATER,
        q_value(inp.holdings_t, Medium.WATER),
        inp.water_process,
        water_e_level(inp.water_receptor),
    )
    return Classification(air, water, inp.penalised_within_3_years)
