"""What an outlet may monitor and a permit may limit, by outlet kind, with each parameter's unit.

Source of truth: the pollution-source parameters the monitoring service accepts
(services/monitoring/domain/parameters.py, `_SOURCE`, units after HJ 212 online monitors). A limit
or a monitored parameter that monitoring would not accept could never become a threshold there, so
the two lists must stay equal; change them together.
"""

from __future__ import annotations

import enum

from shared.errors import InvalidArgument


class OutletKind(enum.StrEnum):
    """Wastewater (废水, code DW) or waste gas (废气, code DA) outlet."""

    WASTEWATER = "wastewater"
    WASTE_GAS = "waste_gas"


_MG_L = "mg/L"
_MG_M3 = "mg/m3"

# Parameter code -> the unit its limit is written in.
WASTEWATER: dict[str, str] = {
    **{code: _MG_L for code in ("COD", "NH3N", "TP", "TN")},
    "PH": "",  # pH has no unit
    **{code: _MG_L for code in ("CR6", "PB", "HG", "CD", "AS", "NI", "CU", "ZN")},
    "FLOW": "m3/h",
}
WASTE_GAS: dict[str, str] = {code: _MG_M3 for code in ("SO2", "NOX", "PM", "VOCS", "NMHC", "CO")}
CATALOGUE: dict[OutletKind, dict[str, str]] = {
    OutletKind.WASTEWATER: WASTEWATER,
    OutletKind.WASTE_GAS: WASTE_GAS,
}
_KIND_NAME = {OutletKind.WASTEWATER: "wastewater", OutletKind.WASTE_GAS: "waste-gas"}


def parameter(field: str, kind: OutletKind, raw: str) -> str:
    """The catalogue code for `raw` at an outlet of `kind` (lower case accepted), or InvalidArgument."""
    code = (raw or "").strip().upper()
    known = CATALOGUE[kind]
    if code not in known:
        raise InvalidArgument(
            field,
            f"{raw!r} is not a {_KIND_NAME[kind]} outlet parameter; known: {', '.join(known)}",
        )
    return code


def unit(field: str, kind: OutletKind, code: str, raw: str) -> str:
    """The unit a limit of `code` must be written in; any other spelling is refused, never converted."""
    expected = CATALOGUE[kind][code]
    given = (raw or "").strip()
    if given != expected:
        shown = f"must be {expected}" if expected else "must be empty (pH has no unit)"
        raise InvalidArgument(field, f"{code} limit unit {shown}, got {raw!r}")
    return given
