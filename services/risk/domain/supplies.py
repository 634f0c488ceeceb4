"""Emergency supplies: the item catalogue (one unit per item, so amounts add up across depots) and the
needs table per emergency kind, kept as data.

The needs are the command center's starting point for a grade IV (一般) event; a higher grade
multiplies them (国家突发环境事件应急预案, 2014, grades I-IV). They are a local practice, not a
national standard, and an emergency's declared needs replace them.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.risk.domain.values import positive, text
from shared.errors import InvalidArgument


@dataclass(frozen=True)
class Item:
    """A supply item and the one unit it is counted in."""

    code: str
    name: str
    unit: str


CATALOGUE: dict[str, Item] = {
    i.code: i
    for i in (
        Item("absorbent_boom", "absorbent boom (吸油围栏)", "m"),
        Item("absorbent", "absorbent pads and granules (吸附材料)", "kg"),
        Item("activated_carbon", "activated carbon (活性炭)", "kg"),
        Item("neutraliser", "neutraliser, lime or soda (中和剂)", "kg"),
        Item("protective_suit", "chemical protective suit (防护服)", "pcs"),
        Item("gas_mask", "gas mask (防毒面具)", "pcs"),
        Item("pump", "transfer pump (应急泵)", "pcs"),
        Item("sandbag", "sandbag (沙袋)", "pcs"),
        Item("dosimeter", "personal dosimeter (个人剂量计)", "pcs"),
    )
}

KINDS = ("chemical_leak", "water_pollution", "air_pollution", "hazardous_waste", "radiation", "other")

# Needs of a grade IV event per kind: item -> quantity in the item's unit.
NEEDS: dict[str, dict[str, float]] = {
    "chemical_leak": {"absorbent": 500, "neutraliser": 1000, "protective_suit": 20, "gas_mask": 20},
    "water_pollution": {"absorbent_boom": 500, "activated_carbon": 2000, "pump": 4, "sandbag": 200},
    "air_pollution": {"gas_mask": 50, "protective_suit": 20},
    "hazardous_waste": {"absorbent": 300, "protective_suit": 10, "sandbag": 100},
    "radiation": {"protective_suit": 10, "dosimeter": 10},
    "other": {"protective_suit": 10},
}
# Grade I (特别重大) .. IV (一般): the factor on the grade IV needs.
GRADE_FACTOR = {1: 8, 2: 4, 3: 2, 4: 1}


@dataclass(frozen=True)
class Amount:
    """A quantity of one item in its unit."""

    item_code: str
    quantity: float

    @property
    def item(self) -> Item:
        """The catalogue entry."""
        return CATALOGUE[self.item_code]


def item_or_raise(field: str, code: str) -> Item:
    """The catalogue item, or InvalidArgument listing the known codes."""
    item = CATALOGUE.get(text(field, code, max_len=60))
    if item is None:
        raise InvalidArgument(field, f"unknown item {code!r}; known: {', '.join(sorted(CATALOGUE))}")
    return item


def amount(field: str, item_code: str, quantity: float, unit: str, *, allow_zero: bool = False) -> Amount:
    """A checked amount: a known item, its unit (empty means the item's unit), a positive quantity."""
    item = item_or_raise(f"{field}.item_code", item_code)
    if unit and unit != item.unit:
        raise InvalidArgument(
            f"{field}.quantity.unit", f"{item.code} is counted in {item.unit!r}, got {unit!r}"
        )
    if not (allow_zero and quantity == 0):
        positive(f"{field}.quantity.value", quantity)
    return Amount(item.code, quantity)


def merge(amounts: list[Amount]) -> list[Amount]:
    """One amount per item (summed), in the order items first appear."""
    totals: dict[str, float] = {}
    for a in amounts:
        totals[a.item_code] = totals.get(a.item_code, 0) + a.quantity
    return [Amount(code, q) for code, q in totals.items()]


def needs_for(kind: str, grade: int) -> list[Amount]:
    """The needs table's supplies for an emergency of this kind and grade."""
    if kind not in NEEDS:
        raise InvalidArgument("kind", f"one of {', '.join(KINDS)}, got {kind!r}")
    factor = GRADE_FACTOR[grade]
    return [Amount(code, q * factor) for code, q in NEEDS[kind].items()]
