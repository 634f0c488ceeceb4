"""Credit colours and what each means to the public (企业环境信用评价办法（试行）, 2013).

The table itself is the platform's (shared.vocabulary), so the printed frame and the console map
show one colour per level.
"""

from __future__ import annotations

from services.codes.domain.status import CreditLevel
from shared.vocabulary import CREDIT_LEVELS, CreditLook

LOOKS: dict[CreditLevel, CreditLook] = {level: CREDIT_LEVELS[level.value] for level in CreditLevel}


def look(level: CreditLevel) -> CreditLook:
    """How a credit level is shown."""
    return LOOKS[level]
