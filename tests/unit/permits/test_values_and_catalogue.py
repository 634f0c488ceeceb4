"""Value rules (text, dates) and the outlet-parameter catalogue shared with monitoring."""

from __future__ import annotations

from datetime import date

import pytest

from services.monitoring.domain.parameters import CATALOGUE as MONITORING_CATALOGUE
from services.monitoring.domain.parameters import StationType
from services.permits.domain import outlet_parameters, values
from services.permits.domain.enterprise import OutletKind
from services.permits.domain.permit import OutletLimits, PollutantLimit, validate_outlet_limits
from shared.errors import InvalidArgument


@pytest.mark.parametrize("bad", ["a\x00b", "a\x07b", "line\nbreak", "tab\there", "del\x7f", "c1\x85c1"])
def test_text_refuses_control_characters(bad: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        values.text("fields.name", bad)
    assert (err.value.field, err.value.reason) == ("fields.name", "must not contain control characters")


def test_free_text_keeps_line_breaks_and_tabs_but_not_nul() -> None:
    assert values.text("note", " 第一行\n\t第二行 ", free_text=True) == "第一行\n\t第二行"
    with pytest.raises(InvalidArgument, match=r"note: must not contain control characters"):
        values.text("note", "a\x00b", free_text=True)
    with pytest.raises(InvalidArgument, match=r"actor.reason: must not contain control characters"):
        values.actor("bureau", "u", "why\r\nnot")


def test_identifiers_are_trimmed_upper_cased_and_required() -> None:
    assert values.identifier("eia_id", "  eia-3f2a ") == "EIA-3F2A"
    with pytest.raises(InvalidArgument, match=r"eia_id: required"):
        values.identifier("eia_id", "  ")
    with pytest.raises(InvalidArgument, match=r"permit_number: must not contain control"):
        values.identifier("permit_number", "X\x00")


def test_dates_are_bounded() -> None:
    assert values.calendar_day("at", date(1949, 1, 1)) == date(1949, 1, 1)
    assert values.calendar_day("at", date(2200, 12, 31)) == date(2200, 12, 31)
    for outside in (date(1948, 12, 31), date(2201, 1, 1), date(9999, 6, 1), date(1, 1, 1)):
        with pytest.raises(InvalidArgument) as err:
            values.calendar_day("valid_from", outside)
        assert err.value.field == "valid_from" and "1949-01-01 .. 2200-12-31" in err.value.reason


def test_a_permit_is_entered_when_it_is_in_force() -> None:
    today = date(2026, 3, 2)
    assert values.valid_from_in_force(today, today) == today
    assert values.valid_from_in_force(date(2021, 3, 6), today) == date(2021, 3, 6)
    with pytest.raises(InvalidArgument, match=r"valid_from: a permit is entered when it is in force"):
        values.valid_from_in_force(date(2026, 3, 3), today)


def test_the_catalogue_is_what_monitoring_accepts_for_pollution_sources() -> None:
    source = MONITORING_CATALOGUE[StationType.POLLUTION_SOURCE]
    ours = {**outlet_parameters.WASTEWATER, **outlet_parameters.WASTE_GAS}
    assert {code: kind.unit for code, kind in source.items()} == ours
    assert not set(outlet_parameters.WASTEWATER) & set(outlet_parameters.WASTE_GAS)


def test_parameters_belong_to_the_outlet_kind() -> None:
    assert outlet_parameters.parameter("p", OutletKind.WASTEWATER, " nh3n ") == "NH3N"
    assert outlet_parameters.parameter("p", OutletKind.WASTE_GAS, "vocs") == "VOCS"
    with pytest.raises(InvalidArgument, match=r"p: 'SO2' is not a wastewater outlet parameter"):
        outlet_parameters.parameter("p", OutletKind.WASTEWATER, "SO2")
    with pytest.raises(InvalidArgument, match=r"'PM25' is not a waste-gas outlet parameter; known: SO2"):
        outlet_parameters.parameter("p", OutletKind.WASTE_GAS, "PM25")


def _checked(kind: OutletKind, *limits: PollutantLimit) -> tuple[PollutantLimit, ...]:
    [outlet] = validate_outlet_limits([OutletLimits("X-1", None, limits)], {"X-1": kind}, required=True)
    return outlet.limits


def test_limits_take_their_units_from_the_catalogue() -> None:
    checked = _checked(
        OutletKind.WASTEWATER,
        PollutantLimit("cod", 50, "mg/L"),
        PollutantLimit("PH", 9, "", concentration_floor=6),
        PollutantLimit("FLOW", 120, "m3/h"),
    )
    assert [(lim.parameter, lim.unit) for lim in checked] == [("COD", "mg/L"), ("PH", ""), ("FLOW", "m3/h")]
    assert _checked(OutletKind.WASTE_GAS, PollutantLimit("NOX", 100, "mg/m3"))[0].unit == "mg/m3"


@pytest.mark.parametrize(
    ("kind", "limit", "message"),
    [
        (
            OutletKind.WASTEWATER,
            PollutantLimit("COD", 50, "mg/m3"),
            "COD limit unit must be mg/L, got 'mg/m3'",
        ),
        (OutletKind.WASTEWATER, PollutantLimit("COD", 50, "mg/l"), "COD limit unit must be mg/L, got 'mg/l'"),
        (
            OutletKind.WASTEWATER,
            PollutantLimit("PH", 9, "pH"),
            "PH limit unit must be empty (pH has no unit)",
        ),
        (OutletKind.WASTE_GAS, PollutantLimit("SO2", 50, "mg/L"), "SO2 limit unit must be mg/m3, got 'mg/L'"),
        (
            OutletKind.WASTE_GAS,
            PollutantLimit("COD", 50, "mg/L"),
            "'COD' is not a waste-gas outlet parameter",
        ),
        (
            OutletKind.WASTEWATER,
            PollutantLimit("XYZ", 50, "mg/L"),
            "'XYZ' is not a wastewater outlet parameter",
        ),
    ],
)
def test_wrong_units_and_unknown_pollutants_are_refused(
    kind: OutletKind, limit: PollutantLimit, message: str
) -> None:
    with pytest.raises(InvalidArgument) as err:
        _checked(kind, limit)
    assert message in str(err.value)
    assert err.value.field.startswith("outlets[0].limits[0].")
