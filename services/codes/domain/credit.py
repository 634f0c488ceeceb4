"""Credit colours and what each means to the public (企业环境信用评价办法（试行）, 2013)."""

from __future__ import annotations

from dataclasses import dataclass

from services.codes.domain.status import CreditLevel


@dataclass(frozen=True)
class CreditLook:
    colour: str  # the frame colour, hex
    label: str  # the official name of the level
    meaning: str  # what it tells a member of the public


LOOKS: dict[CreditLevel, CreditLook] = {
    CreditLevel.GREEN: CreditLook(
        "#1a9850", "环保诚信企业", "environmentally trustworthy: a clean record this year"
    ),
    CreditLevel.BLUE: CreditLook("#2166ac", "环保良好企业", "good: minor issues only, all corrected"),
    CreditLevel.YELLOW: CreditLook(
        "#e6ab02", "环保警示企业", "warned: violations on record, under closer supervision"
    ),
    CreditLevel.RED: CreditLook("#d7301f", "环保不良企业", "bad: serious or repeated violations"),
    # Black is a provincial addition for serious dishonesty.
    CreditLevel.BLACK: CreditLook(
        "#1a1a1a", "环保严重失信企业", "seriously dishonest: joint punishment applies"
    ),
    CreditLevel.UNRATED: CreditLook(
        "#7b8794", "尚未评价", "not rated yet: no credit evaluation has been published"
    ),
}


def look(level: CreditLevel) -> CreditLook:
    """How a credit level is shown."""
    return LOOKS[level]
