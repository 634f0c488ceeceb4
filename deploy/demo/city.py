"""The demo city's data: Cixi's towns, rivers and a set of plausible enterprises.

Positions are inside Cixi's land area (about 121.0–121.55° E, 30.0–30.4° N, REFERENCE.md); names,
industries and outlets are invented but typical of the city (dyeing, electroplating, chemicals,
appliances, bearings).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from deploy.demo.uscc import make_uscc
from shared import vocabulary

# Subdistricts and towns of Cixi with their centres (lat, lon): the platform's own table.
TOWNS = vocabulary.TOWNS

# Rivers with a monitored section, the town it lies in, and the section's target class (GB 3838).
RIVERS: list[tuple[str, str, str]] = [
    ("四灶浦", "坎墩", "III"),
    ("三八江", "浒山", "IV"),
    ("东横河", "横河", "III"),
    ("潮塘江", "胜山", "IV"),
    ("淡水泓", "崇寿", "IV"),
    ("周家路江", "周巷", "IV"),
    ("半掘浦", "附海", "IV"),
    ("郑家浦", "观海卫", "III"),
    ("陆中湾", "庵东", "IV"),
    ("漾山河", "龙山", "III"),
]


@dataclass(frozen=True)
class DemoEnterprise:
    serial: int
    name: str
    industry_code: str  # GB/T 4754-2017
    town: str
    offset: tuple[float, float]  # from the town centre, degrees
    permit_class: str  # key | simplified | registration
    wastewater_river: str | None
    waste_gas: bool
    risk_flags: tuple[str, ...] = field(default=())
    # Years before 2026 the current permit was issued (5 = expiring about now).
    permit_age_years: int = 2

    @property
    def uscc(self) -> str:
        return make_uscc(self.serial)

    @property
    def location(self) -> tuple[float, float]:
        lat, lon = TOWNS[self.town]
        return round(lat + self.offset[0], 5), round(lon + self.offset[1], 5)


ENTERPRISES: list[DemoEnterprise] = [
    DemoEnterprise(
        101,
        "慈溪市浒山印染有限公司",
        "C1713",
        "浒山",
        (0.004, -0.006),
        "key",
        "三八江",
        True,
        ("hazardous_chemicals",),
        4,
    ),
    DemoEnterprise(
        102,
        "慈溪市宗汉电镀厂",
        "C3360",
        "宗汉",
        (-0.003, 0.004),
        "key",
        "四灶浦",
        True,
        ("heavy_metals", "hazardous_waste"),
        5,
    ),
    DemoEnterprise(
        103,
        "宁波杭州湾精细化工有限公司",
        "C2614",
        "庵东",
        (0.006, 0.010),
        "key",
        "陆中湾",
        True,
        ("hazardous_chemicals", "hazardous_waste"),
        1,
    ),
    DemoEnterprise(
        104, "慈溪市坎墩纺织印染厂", "C1713", "坎墩", (0.002, 0.005), "key", "四灶浦", True, (), 3
    ),
    DemoEnterprise(
        105,
        "慈溪市周巷家电制造有限公司",
        "C3855",
        "周巷",
        (-0.004, 0.003),
        "simplified",
        "周家路江",
        True,
        (),
        2,
    ),
    DemoEnterprise(
        106,
        "慈溪市观海卫轴承有限公司",
        "C3451",
        "观海卫",
        (0.003, -0.004),
        "simplified",
        "郑家浦",
        False,
        (),
        2,
    ),
    DemoEnterprise(107, "慈溪市长河造纸厂", "C2221", "长河", (0.005, 0.002), "key", "周家路江", True, (), 4),
    DemoEnterprise(
        108,
        "慈溪市横河医药化工有限公司",
        "C2710",
        "横河",
        (-0.002, -0.005),
        "key",
        "东横河",
        True,
        ("hazardous_chemicals", "hazardous_waste"),
        2,
    ),
    DemoEnterprise(
        109, "慈溪市附海食品有限公司", "C1391", "附海", (0.004, 0.004), "simplified", "半掘浦", False, (), 1
    ),
    DemoEnterprise(
        110,
        "慈溪市新浦金属表面处理有限公司",
        "C3360",
        "新浦",
        (-0.003, -0.003),
        "key",
        "半掘浦",
        True,
        ("heavy_metals",),
        3,
    ),
    DemoEnterprise(
        111,
        "慈溪市龙山新材料有限公司",
        "C2651",
        "龙山",
        (0.002, -0.006),
        "key",
        "漾山河",
        True,
        ("hazardous_chemicals",),
        2,
    ),
    DemoEnterprise(
        112, "慈溪市掌起五金厂", "C3389", "掌起", (-0.004, 0.002), "registration", None, False, (), 0
    ),
    DemoEnterprise(
        113, "慈溪市胜山电器有限公司", "C3856", "胜山", (0.003, 0.003), "simplified", "潮塘江", False, (), 1
    ),
    DemoEnterprise(
        114, "慈溪市崇寿塑料制品厂", "C2929", "崇寿", (0.001, -0.004), "simplified", "淡水泓", True, (), 2
    ),
    DemoEnterprise(
        115,
        "慈溪市逍林无损检测有限公司",
        "M7452",
        "逍林",
        (-0.002, 0.002),
        "registration",
        None,
        False,
        ("radiation_sources",),
        0,
    ),
    DemoEnterprise(
        116,
        "慈溪市白沙路医院",
        "Q8411",
        "白沙路",
        (0.002, 0.001),
        "simplified",
        "三八江",
        False,
        ("radiation_sources",),
        2,
    ),
    DemoEnterprise(
        117,
        "慈溪市古塘汽车零部件有限公司",
        "C3670",
        "古塘",
        (-0.003, 0.005),
        "simplified",
        "三八江",
        True,
        (),
        3,
    ),
    DemoEnterprise(
        118,
        "慈溪市桥头涂装有限公司",
        "C3360",
        "桥头",
        (0.004, -0.002),
        "key",
        "潮塘江",
        True,
        ("heavy_metals",),
        5,
    ),
    DemoEnterprise(
        119, "慈溪市匡堰酿造有限公司", "C1520", "匡堰", (-0.001, 0.004), "simplified", "东横河", False, (), 1
    ),
    DemoEnterprise(
        120,
        "慈溪市庵东危险废物处置有限公司",
        "N7724",
        "庵东",
        (-0.006, -0.008),
        "key",
        "陆中湾",
        True,
        ("hazardous_waste",),
        2,
    ),
]

# Typical limits: wastewater to a sewer or river (GB 8978-1996 grade 1 as a stand-in), waste gas
# (GB 16297-1996). Real permits state their own; the demo uses one set for simplicity.
WASTEWATER_LIMITS = {"COD": (100.0, "mg/L", 30.0), "NH3N": (15.0, "mg/L", 3.0), "TP": (1.0, "mg/L", 0.3)}
WASTE_GAS_LIMITS = {"SO2": (200.0, "mg/m3", 12.0), "NOX": (300.0, "mg/m3", 20.0), "PM": (30.0, "mg/m3", 3.0)}
