"""Means meet limits exactly (GB/T 8170-2008 rounding) — issue 9, point 1 — with a property test
against an independent computation in fractions.Fraction."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eco.v1 import monitoring_pb2
from services.monitoring.domain import gb3838
from services.monitoring.domain.gb3838 import WaterBody, WaterClass
from services.monitoring.entrypoints import messages
from services.monitoring.service_layer import history
from shared import exact, hj633
from tests.unit.monitoring.support import HOUR, START_MS, Harness, water_station

RIVER, LAKE = WaterBody.RIVER, WaterBody.LAKE
C = WaterClass
DAY = 24 * HOUR
LOCAL_MIDNIGHT = START_MS - 8 * HOUR + DAY


def mean_class(code: str, values: list[float], body: WaterBody = RIVER) -> WaterClass | None:
    m = exact.mean(values)
    assert m is not None
    return gb3838.mean_class(code, m, body)


def test_the_issues_examples() -> None:
    assert exact.mean([0.1, 0.2]) == Fraction(15, 100)
    assert mean_class("NH3N", [0.1, 0.2]) is C.I  # 0.15 is the class I limit, not above it
    assert mean_class("TP", [0.1, 0.2, 0.3]) is C.III
    assert mean_class("TP", [0.1, 0.2, 0.3], LAKE) is C.V


@pytest.mark.parametrize(
    ("code", "body", "below", "on", "above", "better", "worse"),
    [
        # One step of the limit's last decimal below, on, and above each limit.
        ("NH3N", RIVER, "0.14", "0.15", "0.16", C.I, C.II),
        ("NH3N", RIVER, "0.9", "1.0", "1.1", C.III, C.IV),
        ("TP", RIVER, "0.1", "0.2", "0.3", C.III, C.IV),
        ("TP", LAKE, "0.1", "0.2", "0.3", C.V, C.WORSE_THAN_V),
        ("TP", LAKE, "0.024", "0.025", "0.026", C.II, C.III),
        ("CODMN", RIVER, "5", "6", "7", C.III, C.IV),
        ("HG", RIVER, "0.00004", "0.00005", "0.00006", C.I, C.III),
    ],
)
def test_on_one_step_below_and_above_each_limit(
    code: str, body: WaterBody, below: str, on: str, above: str, better: WaterClass, worse: WaterClass
) -> None:
    below_class = gb3838.mean_class(code, Fraction(Decimal(below)), body)
    assert below_class is not None and below_class <= better
    assert gb3838.mean_class(code, Fraction(Decimal(on)), body) is better
    assert gb3838.mean_class(code, Fraction(Decimal(above)), body) is worse


def test_dissolved_oxygen_is_a_floor_met_by_its_rounded_mean() -> None:
    assert mean_class("DO", [4.9, 5.1]) is C.III  # 5.0 meets the class III floor 5
    assert gb3838.mean_class("DO", Fraction(4), RIVER) is C.IV
    assert gb3838.mean_class("DO", Fraction("7.45"), RIVER) is C.II  # 7.4 (half to even) < 7.5
    assert gb3838.mean_class("DO", Fraction("7.46"), RIVER) is C.I  # 7.5


def test_rounding_is_gbt_8170_half_to_even() -> None:
    # A mean between the class I limit 0.15 and a step above: 0.155 rounds to 0.16 (5 after an odd
    # digit goes up), 0.145 to 0.14, 0.1551 to 0.16, 0.1549 to 0.15.
    assert gb3838.mean_class("NH3N", Fraction("0.155"), RIVER) is C.II
    assert gb3838.mean_class("NH3N", Fraction("0.1549"), RIVER) is C.I
    assert gb3838.mean_class("NH3N", Fraction("0.145"), RIVER) is C.I
    assert exact.text(Fraction("0.125"), 2) == "0.12" and exact.text(Fraction("0.135"), 2) == "0.14"


def test_iaqi_is_exact_at_and_next_to_breakpoints() -> None:
    assert hj633.iaqi("PM25_24H", Fraction(75)) == 100
    assert hj633.iaqi("PM25_24H", Fraction(76)) == 102  # 101.25 rounded up
    assert hj633.iaqi("CO_24H", 0.3) == 8  # 0.3 / 2 * 50 = 7.5 exactly, not 7.500000000000001


def test_daily_section_class_of_readings_averaging_onto_a_limit(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.register(water_station())
    h.ingest([("WS-1", "NH3N", LOCAL_MIDNIGHT + HOUR, 0.1), ("WS-1", "NH3N", LOCAL_MIDNIGHT + 5 * HOUR, 0.2)])
    h.ingest([("WS-1", "TP", LOCAL_MIDNIGHT + i * 4 * HOUR, v) for i, v in enumerate([0.1, 0.2, 0.3])])
    result = messages.section_class_history(
        history.section_classes(
            h.engine,
            station_id="WS-1",
            start=LOCAL_MIDNIGHT,
            end=LOCAL_MIDNIGHT + DAY,
            interval=monitoring_pb2.INTERVAL_DAY,
        )
    )
    (point,) = result.points
    classes = {p.parameter: (p.mean, p.water_class, p.compared_mean, p.values) for p in point.parameters}
    assert classes["NH3N"] == (0.15, monitoring_pb2.WATER_CLASS_I, "0.15", 2)
    assert classes["TP"] == (0.2, monitoring_pb2.WATER_CLASS_III, "0.2", 3)
    assert point.water_class == monitoring_pb2.WATER_CLASS_III and point.meets_target


# ---- property: the class of a mean equals the class computed independently with Fraction ----

_DO = ("7.5", "6", "5", "3", "2")


def _oracle_round(value: Fraction, places: int) -> Fraction:
    """GB/T 8170 rounding written independently: compare the dropped part with one half."""
    unit = Fraction(1, 10**places)
    low = (value // unit) * unit
    dropped = value - low
    if dropped * 2 > unit:
        return low + unit
    if dropped * 2 < unit:
        return low
    return low if (low / unit) % 2 == 0 else low + unit


def _oracle_class(code: str, values: list[str], body: WaterBody) -> WaterClass:
    mean = sum((Fraction(v) for v in values), Fraction(0)) / len(values)
    for i, water_class in enumerate((C.I, C.II, C.III, C.IV, C.V)):
        if code == "DO":
            floor = _DO[i]
            places = len(floor.split(".")[1]) if "." in floor else 0
            if _oracle_round(mean, places) >= Fraction(floor):
                return water_class
            continue
        upper, _ = gb3838.limit_text(code, water_class, body)
        assert upper is not None
        places = len(upper.split(".")[1]) if "." in upper else 0
        if _oracle_round(mean, places) <= Fraction(upper):
            return water_class
    return C.WORSE_THAN_V


def _decimal_texts(places: int, top: int) -> st.SearchStrategy[str]:
    return st.integers(0, top * 10**places).map(lambda n: str(Decimal(n).scaleb(-places)))


@settings(max_examples=400, deadline=None)
@given(
    code=st.sampled_from(["NH3N", "TP", "CODMN", "DO", "HG", "FCOLI"]),
    body=st.sampled_from([RIVER, LAKE]),
    places=st.integers(0, 6),
    data=st.data(),
)
def test_the_class_of_a_mean_is_the_class_of_the_exact_fraction(
    code: str, body: WaterBody, places: int, data: st.DataObject
) -> None:
    texts = data.draw(
        st.lists(_decimal_texts(places, 3 if code != "FCOLI" else 50000), min_size=1, max_size=30)
    )
    # The readings travel as doubles, as they are stored.
    assert mean_class(code, [float(t) for t in texts], body) is _oracle_class(code, texts, body)


@settings(max_examples=300, deadline=None)
@given(
    code=st.sampled_from(["NH3N", "TP"]),
    limit_index=st.integers(0, 4),
    offset=st.integers(-3, 3),
    spreads=st.lists(st.integers(0, 999), min_size=0, max_size=10),
)
def test_means_built_to_land_on_or_next_to_a_limit(
    code: str, limit_index: int, offset: int, spreads: list[int]
) -> None:
    # Pairs of readings symmetric around (limit + offset thousandths): their exact mean is that
    # value; the binary mean lands on either side of it, the exact one decides as Fraction does.
    upper, _ = gb3838.limit_text(code, (C.I, C.II, C.III, C.IV, C.V)[limit_index], RIVER)
    assert upper is not None
    centre = Decimal(upper) + Decimal(offset).scaleb(-3)
    texts = [str(centre)]
    for s in spreads:
        d = min(Decimal(s).scaleb(-4), centre)
        texts += [str(centre - d), str(centre + d)]
    assert mean_class(code, [float(t) for t in texts]) is _oracle_class(code, texts, RIVER)
