"""The platform's shared vocabularies: credit levels (with their one colour each), industry sections,
and the city's towns. The code service (printed frames, public page) and the gateway (console map,
public page) both read them here, so a sticker on a factory gate and the map never disagree.

Plain data, no protobuf: a service's domain may import it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CreditLook:
    """How one credit level is shown."""

    colour: str  # the colour of the level, hex: the printed code frame and the map both use it
    label: str  # the official name of the level
    short: str  # the map legend's words
    meaning: str  # what it tells a member of the public


# 企业环境信用评价办法（试行）(2013): four levels, each with a colour; black is the provinces' addition
# for serious dishonesty. Keys are the levels' names in the platform ("unrated": not evaluated yet).
CREDIT_LEVELS: dict[str, CreditLook] = {
    "green": CreditLook(
        "#1a9850",
        "环保诚信企业",
        "环保诚信 trustworthy",
        "environmentally trustworthy: a clean record this year",
    ),
    "blue": CreditLook("#2166ac", "环保良好企业", "环保良好 good", "good: minor issues only, all corrected"),
    "yellow": CreditLook(
        "#e6ab02", "环保警示企业", "环保警示 warned", "warned: violations on record, under closer supervision"
    ),
    "red": CreditLook("#d7301f", "环保不良企业", "环保不良 bad", "bad: serious or repeated violations"),
    "black": CreditLook(
        "#1a1a1a",
        "环保严重失信企业",
        "严重失信 seriously dishonest",
        "seriously dishonest: joint punishment applies",
    ),
    "unrated": CreditLook(
        "#7b8794", "尚未评价", "尚未评价 unrated", "not rated yet: no credit evaluation has been published"
    ),
}

# GB/T 4754-2017 table 1: the section (门类) is the first character of every industry code.
INDUSTRY_SECTIONS: dict[str, str] = {
    "A": "农、林、牧、渔业",
    "B": "采矿业",
    "C": "制造业",
    "D": "电力、热力、燃气及水生产和供应业",
    "E": "建筑业",
    "F": "批发和零售业",
    "G": "交通运输、仓储和邮政业",
    "H": "住宿和餐饮业",
    "I": "信息传输、软件和信息技术服务业",
    "J": "金融业",
    "K": "房地产业",
    "L": "租赁和商务服务业",
    "M": "科学研究和技术服务业",
    "N": "水利、环境和公共设施管理业",
    "O": "居民服务、修理和其他服务业",
    "P": "教育",
    "Q": "卫生和社会工作",
    "R": "文化、体育和娱乐业",
    "S": "公共管理、社会保障和社会组织",
    "T": "国际组织",
}


def industry_section(industry_code: str) -> str:
    """The section name of an industry code ("" when the code is empty or not GB/T 4754)."""
    return INDUSTRY_SECTIONS.get(industry_code[:1].upper(), "") if industry_code else ""


# The city's subdistricts and towns (REFERENCE.md, Cixi, division code 330282) and the WGS 84 centre
# each is drawn at on the map (approximate centres of their seats).
TOWNS: dict[str, tuple[float, float]] = {
    "浒山": (30.170, 121.265),
    "古塘": (30.180, 121.240),
    "白沙路": (30.165, 121.280),
    "坎墩": (30.205, 121.225),
    "宗汉": (30.195, 121.190),
    "观海卫": (30.145, 121.400),
    "附海": (30.250, 121.330),
    "桥头": (30.165, 121.330),
    "匡堰": (30.130, 121.290),
    "逍林": (30.190, 121.310),
    "新浦": (30.230, 121.360),
    "胜山": (30.210, 121.270),
    "横河": (30.130, 121.215),
    "崇寿": (30.245, 121.140),
    "庵东": (30.285, 121.190),
    "长河": (30.190, 121.140),
    "周巷": (30.170, 121.110),
    "掌起": (30.120, 121.450),
    "龙山": (30.095, 121.525),
}
