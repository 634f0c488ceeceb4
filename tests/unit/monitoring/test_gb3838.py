"""GB 3838-2002 single-factor classes at every boundary of table 1 (REFERENCE.md)."""

from __future__ import annotations

import pytest

from services.monitoring.domain.gb3838 import (
    WaterBody,
    WaterClass,
    bound,
    exceedance_multiple,
    reading_class,
    section_class,
)

I, II, III, IV, V, WORSE = (  # noqa: E741 - the standard's class names
    WaterClass.I,
    WaterClass.II,
    WaterClass.III,
    WaterClass.IV,
    WaterClass.V,
    WaterClass.WORSE_THAN_V,
)

# Transcribed from REFERENCE.md independently of the implementation: upper limits for I..V.
TABLE = {
    "CODMN": (2, 4, 6, 10, 15),
    "COD": (15, 15, 20, 30, 40),
    "BOD5": (3, 3, 4, 6, 10),
    "NH3N": (0.15, 0.5, 1.0, 1.5, 2.0),
    "CU": (0.01, 1.0, 1.0, 1.0, 1.0),
    "ZN": (0.05, 1.0, 1.0, 2.0, 2.0),
    "F": (1.0, 1.0, 1.0, 1.5, 1.5),
    "SE": (0.01, 0.01, 0.01, 0.02, 0.02),
    "AS": (0.05, 0.05, 0.05, 0.1, 0.1),
    "HG": (0.00005, 0.00005, 0.0001, 0.001, 0.001),
    "CD": (0.001, 0.005, 0.005, 0.005, 0.01),
    "CR6": (0.01, 0.05, 0.05, 0.05, 0.1),
    "PB": (0.01, 0.01, 0.05, 0.05, 0.1),
    "CN": (0.005, 0.05, 0.2, 0.2, 0.2),
    "VPHENOL": (0.002, 0.002, 0.005, 0.01, 0.1),
    "PETRO": (0.05, 0.05, 0.05, 0.5, 1.0),
    "LAS": (0.2, 0.2, 0.2, 0.3, 0.3),
    "S2": (0.05, 0.1, 0.2, 0.5, 1.0),
    "FCOLI": (200, 2000, 10000, 20000, 40000),
    "TP": (0.02, 0.1, 0.2, 0.3, 0.4),
}


def _boundary_cases() -> list[tuple[str, float, WaterClass]]:
    cases = []
    for code, limits in TABLE.items():
        for index, limit in enumerate(limits):
            # At a limit: the best class whose limit it meets (shared limits give the better class).
            best = next(i for i, lim in enumerate(limits) if limit <= lim)
            cases.append((code, limit, WaterClass(best + 1)))
            above = limit * 1.0001
            nxt = next((i for i, lim in enumerate(limits) if above <= lim), None)
            cases.append((code, above, WORSE if nxt is None else WaterClass(nxt + 1)))
            del index
    return cases


@pytest.mark.parametrize(("code", "value", "expected"), _boundary_cases())
def test_every_upper_limit_boundary_of_table_1(code: str, value: float, expected: WaterClass) -> None:
    assert reading_class(code, value, WaterBody.RIVER) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (7.5, I),
        (7.49, II),
        (6.0, II),
        (5.99, III),
        (5.0, III),
        (4.99, IV),
        (3.0, IV),
        (2.99, V),
        (2.0, V),
        (1.99, WORSE),
    ],
)
def test_dissolved_oxygen_is_a_floor(value: float, expected: WaterClass) -> None:
    assert reading_class("DO", value, WaterBody.RIVER) == expected


@pytest.mark.parametrize(("value", "expected"), [(6.0, I), (9.0, I), (7.2, I), (5.99, WORSE), (9.01, WORSE)])
def test_ph_range_6_to_9(value: float, expected: WaterClass) -> None:
    assert reading_class("PH", value, WaterBody.RIVER) == expected


@pytest.mark.parametrize(
    ("value", "river", "lake"),
    [
        (0.01, I, I),
        (0.02, I, II),
        (0.025, II, II),
        (0.05, II, III),
        (0.1, II, IV),
        (0.2, III, V),
        (0.3, IV, WORSE),
        (0.41, WORSE, WORSE),
    ],
)
def test_lakes_use_the_bracketed_phosphorus_limits(value: float, river: WaterClass, lake: WaterClass) -> None:
    assert reading_class("TP", value, WaterBody.RIVER) == river
    assert reading_class("TP", value, WaterBody.LAKE) == lake
    assert reading_class("TP", value, WaterBody.RESERVOIR) == lake


def test_total_nitrogen_counts_for_lakes_only() -> None:
    assert reading_class("TN", 1.2, WaterBody.RIVER) is None
    assert reading_class("TN", 1.2, WaterBody.LAKE) == IV
    assert reading_class("TN", 0.2, WaterBody.LAKE) == I


def test_exceedance_multiple_and_its_reversal_for_dissolved_oxygen() -> None:
    nh3n_iii = bound("NH3N", III, WaterBody.RIVER)
    assert nh3n_iii is not None
    assert exceedance_multiple("NH3N", 1.5, nh3n_iii) == pytest.approx(0.5)
    do_iii = bound("DO", III, WaterBody.RIVER)
    assert do_iii is not None
    assert exceedance_multiple("DO", 4.0, do_iii) == pytest.approx(0.2)
    ph = bound("PH", III, WaterBody.RIVER)
    assert ph is not None and exceedance_multiple("PH", 10.0, ph) == 0.0


def test_section_class_is_the_worst_parameter() -> None:
    assert section_class({"NH3N": II, "DO": IV, "TP": IV}) == (IV, ["DO", "TP"])
    assert section_class({}) == (None, [])
