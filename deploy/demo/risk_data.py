"""The demo city's risk data: supply depots with their stock, the plants' HJ 941-2018 assessment
inputs, hidden hazards, hazardous-waste manifests and one past emergency, loaded by risk.py.

Positions are relative to the towns and enterprises of city.py; times are days before or after the
load, never a fixed date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from deploy.demo import city
from eco.v1 import common_pb2, risk_pb2

R = risk_pb2
PAGE = common_pb2.PageRequest(page_size=200)
RECEIVER = "慈溪市庵东危险废物处置有限公司"  # demo enterprise 120, the city's licensed disposer
# Catalogue codes of the risk service (services/risk/domain/supplies.py): name and the one unit.
ITEMS = {
    "absorbent_boom": ("吸油围栏", "m"),
    "absorbent": ("吸附材料", "kg"),
    "activated_carbon": ("活性炭", "kg"),
    "neutraliser": ("中和剂", "kg"),
    "protective_suit": ("防化服", "pcs"),
    "gas_mask": ("防毒面具", "pcs"),
    "pump": ("应急泵", "pcs"),
    "sandbag": ("沙袋", "pcs"),
}


def enterprise(serial: int) -> city.DemoEnterprise:
    """The demo enterprise with this serial."""
    return next(e for e in city.ENTERPRISES if e.serial == serial)


def point(lat: float, lon: float) -> common_pb2.GeoPoint:
    """A WGS84 point, to the metre."""
    return common_pb2.GeoPoint(lat=round(lat, 5), lon=round(lon, 5))


def amounts(table: Mapping[str, float]) -> list[risk_pb2.SupplyAmount]:
    """Supply amounts as the contract carries them, each in its item's unit."""
    return [
        R.SupplyAmount(
            item_code=code,
            item_name=ITEMS[code][0],
            quantity=common_pb2.Quantity(value=quantity, unit=ITEMS[code][1]),
        )
        for code, quantity in table.items()
    ]


# ------------------------------------------------------------------------------------------ data
@dataclass(frozen=True)
class DemoDepot:
    name: str
    town: str
    department: str
    stock: Mapping[str, float]
    offset: tuple[float, float] = (0.002, 0.002)  # from the town centre (or the plant), degrees
    serial: int = 0  # an enterprise's own depot, on its site

    @property
    def location(self) -> common_pb2.GeoPoint:
        lat, lon = enterprise(self.serial).location if self.serial else city.TOWNS[self.town]
        return point(lat + self.offset[0], lon + self.offset[1])


DEPOTS = [
    DemoDepot(
        "慈溪市环境应急物资储备库",
        "浒山",
        "慈溪市生态环境局",
        {
            "absorbent_boom": 800,
            "absorbent": 1000,
            "activated_carbon": 5000,
            "neutraliser": 3000,
            "protective_suit": 80,
            "gas_mask": 80,
            "pump": 8,
            "sandbag": 1000,
        },
    ),
    DemoDepot(
        "宗汉街道应急物资储备点",
        "宗汉",
        "宗汉街道办事处",
        {"absorbent_boom": 300, "activated_carbon": 1000, "neutraliser": 500, "pump": 2},
    ),
    DemoDepot(
        "横河镇应急物资储备点",
        "横河",
        "横河镇人民政府",
        {"absorbent_boom": 200, "absorbent": 200, "protective_suit": 15, "sandbag": 400},
    ),
    DemoDepot(
        "庵东镇应急物资储备点",
        "庵东",
        "庵东镇人民政府",
        {"absorbent": 400, "neutraliser": 1000, "protective_suit": 20, "gas_mask": 20, "sandbag": 300},
    ),
    DemoDepot(
        "杭州湾精细化工厂区应急物资库",
        "庵东",
        "宁波杭州湾精细化工有限公司",
        {"absorbent": 200, "neutraliser": 500, "protective_suit": 10, "gas_mask": 10},
        offset=(0.0005, -0.0005),
        serial=103,
    ),
]


@dataclass(frozen=True)
class DemoAssessment:
    serial: int
    filing: str  # 备案编号: division-serial-level letter (L general, M significant, H major)
    inputs: risk_pb2.AssessmentInputs
    expected: risk_pb2.RiskLevel  # what HJ 941-2018 gives for these inputs (checked)


def _inputs(substances: dict[str, float], **fields: object) -> risk_pb2.AssessmentInputs:
    held = [R.SubstanceHolding(substance=code, tonnes=t) for code, t in substances.items()]
    return R.AssessmentInputs(substances=held, **fields)  # type: ignore[arg-type]


# HJ 941-2018: Q from Appendix A's critical quantities, M from tables 1-4/6-7, E from tables 5/8, the
# level from the Q×M matrix of E's row (tables 6 and 9). The workings are in each comment.
ASSESSMENTS = [
    # Water: Cr 1.0/0.25 + Ni 0.5/0.25 + HCl 3/7.5 = 6.4 (Q1); M 5 + 20 = 25 (M2); ecological area
    # downstream (E2) -> 较大. Air: HCl 0.4 (Q0) -> 一般.
    DemoAssessment(
        102,
        "330282-102-M",
        _inputs(
            {"chromium_compounds": 1.0, "nickel_compounds": 0.5, "hydrochloric_acid": 3.0},
            water_process=R.ProcessAndControls(other_hazardous_process_units=1, control_shortfall_points=20),
            population_within_5km=42_000,
            population_within_500m=300,
            water_receptor="ecological_area",
        ),
        R.RISK_LEVEL_SIGNIFICANT,
    ),
    # Air: Cl2 12/1 + HCl 30/7.5 + toluene 60/10 + methanol 50/10 = 27 (Q2); M 2×10 + 5 + 10 = 35
    # (M2); 62 000 people within 5 km (E1) -> 重大. Water: 15 (Q2), M 30 (M2), E2 -> 较大.
    DemoAssessment(
        103,
        "330282-103-H",
        _inputs(
            {"chlorine": 12.0, "hydrochloric_acid": 30.0, "toluene": 60.0, "methanol": 50.0},
            air_process=R.ProcessAndControls(
                listed_process_units=2, other_hazardous_process_units=1, control_shortfall_points=10
            ),
            water_process=R.ProcessAndControls(
                listed_process_units=2, other_hazardous_process_units=1, control_shortfall_points=5
            ),
            population_within_5km=62_000,
            population_within_500m=400,
            water_receptor="ecological_area",
        ),
        R.RISK_LEVEL_MAJOR,
    ),
    # Air and water: methanol 0.6 + toluene 0.3 + ethyl acetate 0.2 = 1.1 (Q1); M 5 + 10 = 15 (M1);
    # air E2 (30 000 within 5 km), water E3 -> 一般 both.
    DemoAssessment(
        108,
        "330282-108-L",
        _inputs(
            {"methanol": 6.0, "toluene": 3.0, "ethyl_acetate": 2.0},
            air_process=R.ProcessAndControls(other_hazardous_process_units=1, control_shortfall_points=10),
            water_process=R.ProcessAndControls(other_hazardous_process_units=1, control_shortfall_points=10),
            population_within_5km=30_000,
            population_within_500m=200,
            water_receptor="none",
        ),
        R.RISK_LEVEL_GENERAL,
    ),
]


@dataclass(frozen=True)
class DemoHazard:
    serial: int
    title: str
    grade: risk_pb2.HazardGrade
    source: risk_pb2.HazardSource
    found_days_ago: int
    due_in_days: int  # the deadline, from the load (negative: already past)
    measures: str
    rectified_days_ago: int | None = None  # reported rectified then, and verified at the load


HAZARDS = [
    # Its deadline passed before the load: the risk service lapses it when it is reported.
    DemoHazard(
        108,
        "危废暂存间防渗层破损、导流沟堵塞",
        R.HAZARD_GRADE_GENERAL,
        R.HAZARD_SOURCE_INSPECTION,
        found_days_ago=30,
        due_in_days=-10,
        measures="修复防渗层，清理导流沟，完善危废暂存间标识",
    ),
    DemoHazard(
        102,
        "镀铬车间地面防腐层破损，含铬废水存在渗漏风险",
        R.HAZARD_GRADE_GENERAL,
        R.HAZARD_SOURCE_SELF_CHECK,
        found_days_ago=20,
        due_in_days=10,
        measures="重做车间地面环氧防腐层，增设围堰",
        rectified_days_ago=3,
    ),
    DemoHazard(
        103,
        "事故应急池有效容积不足",
        R.HAZARD_GRADE_MAJOR,
        R.HAZARD_SOURCE_INSPECTION,
        found_days_ago=5,
        due_in_days=55,
        measures="扩建事故应急池并完善雨污切换阀",
    ),
]


@dataclass(frozen=True)
class DemoManifest:
    serial: int
    waste_code: str  # 国家危险废物名录 (2021)
    waste_name: str
    generated_kg: float
    # The steps after generation with the weight recorded at each (collected, transported, ...).
    weighed: tuple[float, ...] = field(default=())


STEPS = [R.MANIFEST_STATUS_COLLECTED, R.MANIFEST_STATUS_TRANSPORTED, R.MANIFEST_STATUS_RECEIVED]
STEPS.append(R.MANIFEST_STATUS_DISPOSED)
MANIFESTS = [
    DemoManifest(102, "336-064-17", "电镀污泥", 2000, (1995, 1995, 1990, 1990)),
    # The receiver weighs 20 % less than was generated: beyond the 5 % tolerance, a mismatch.
    DemoManifest(103, "900-402-06", "废有机溶剂", 3000, (2990, 2990, 2400)),
    DemoManifest(108, "271-001-02", "化学合成原料药蒸馏残余物", 800, (800, 800)),
]

EMERGENCY_SERIAL = 103
EMERGENCY_TITLE = "杭州湾精细化工盐酸储罐法兰泄漏"
EMERGENCY_DAYS_AGO = 40
# More than the plant's own depot holds: the rest comes from the next depot out.
EMERGENCY_NEEDS = {"absorbent": 300, "neutraliser": 1200, "protective_suit": 20, "gas_mask": 20}
# Sent later in the response: sandbags to close the rain drains, pumps to empty the bund.
FOLLOW_UP_NEEDS = {"sandbag": 200, "pump": 2}


@dataclass(frozen=True)
class DemoSource:
    """A disused sealed source at a licensed user, matched on reload by its serial."""

    serial: int  # the enterprise's demo serial
    source_serial: str  # the source's own serial number (its natural key in the demo)
    nuclide: str
    category: int  # 放射源分类办法 (原国家环保总局公告 2005 年第 62 号): I..V as 1..5
    disused_days_ago: int
    # Days ago it went to safe disposal (returned to the producer); None: still held.
    disposed_days_ago: int | None = None


# The hospital's two disused sources: one returned to its producer, one still awaiting disposal,
# so evaluation's radioactive_disposal_rate has a value (1 of 2).
SOURCES = [
    DemoSource(116, "CS137-DEMO-0001", "Cs-137", 5, 60, 20),
    DemoSource(116, "IR192-DEMO-0002", "Ir-192", 3, 10),
]
SOURCE_RECEIVER = "中国同辐股份有限公司"  # the producer the used source goes back to
