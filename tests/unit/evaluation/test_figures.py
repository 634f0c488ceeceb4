"""Each KPI, a scorecard and the hotspots on one constructed data set, with the answers worked out
by hand in the comments; the same events give the same figures at past dates too."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from eco.v1 import enforcement_pb2, evaluation_pb2
from services.evaluation.domain.periods import Period, last_finished_month
from services.evaluation.service_layer import figures
from services.evaluation.service_layer.unit_of_work import Deps
from shared import events as shared_events
from shared.errors import InvalidArgument
from shared.schema import outbox
from tests.unit.evaluation import envelopes as e
from tests.unit.evaluation.factories import T0, uscc
from tests.unit.evaluation.test_read_model import feed

D = T0.date()  # 2025-03-10
E1, E2, E3, E4, E5, E6, E7 = (uscc(n) for n in range(1, 8))
CLOSED = enforcement_pb2.CASE_STAGE_CLOSED


def ago(days: float) -> datetime:
    return T0 - timedelta(days=days)


@pytest.fixture
def city(deps: Deps) -> Deps:
    long_ago = ago(400)
    far = date(2029, 12, 31)
    feed(
        deps,
        [
            e.registered(E1, long_ago, town="浒山"),
            e.registered(E2, long_ago, town="浒山", permit_class=2),
            e.registered(E3, long_ago, town="浒山", permit_class=3),
            e.registered(E4, long_ago, town="观海卫"),
            e.registered(E5, long_ago, town="观海卫"),
            e.registered(E6, long_ago, town="龙山", permit_class=3, radiation=True),
            e.registered(E7, long_ago, town="龙山", permit_class=3, radiation=True),
            e.permit_issued(E1, "P1", long_ago, long_ago.date(), far),
            e.permit_issued(E4, "P4", long_ago, long_ago.date(), far),
            e.permit_revoked(E4, "P4", ago(10)),
            e.permit_issued(E5, "P5", long_ago, long_ago.date(), D - timedelta(days=1)),
            e.radiation_issued(E6, "R6", long_ago, long_ago.date(), far),
            e.section("S1", long_ago, town="浒山"),
            e.section("S2", long_ago, town="观海卫"),
            e.section("S3", long_ago, town="浒山", county=False),
            e.exceedance("X1", "S1", ago(3), town="浒山"),
            e.exceedance("X3", "S3", ago(20), town="浒山"),
            e.exceedance("X3", "S3", ago(20), cleared=ago(18)),
            e.fault("F2", "S2", ago(2)),
            e.problem("p0", "c0", T0.replace(year=2024, month=12, day=20), uscc=E2, town="浒山"),
            e.case_advanced("c0", CLOSED, ago(40), town="浒山"),
            e.problem("p1", "c1", ago(30), uscc=E1, town="浒山"),
            e.case_advanced("c1", CLOSED, ago(20), town="浒山"),
            e.problem("p2", "c2", ago(25), uscc=E1, town="浒山"),
            e.escalated_overdue("c2", ago(15)),
            e.case_advanced("c2", CLOSED, ago(5), town="浒山"),
            e.problem("p3", "c3", ago(10), town="观海卫"),
            e.hazard("h1", E1, ago(30), town="浒山"),
            e.hazard("h1", E1, ago(10), town="浒山", closed=True),
            e.hazard("h2", E2, ago(20), town="浒山"),
            e.petition_closed("pt1", ago(10), town="浒山", on_time=True),
            e.petition_closed("pt2", ago(9), town="浒山", on_time=False),
            e.petition_closed("pt3", ago(8), town="浒山", on_time=True),
            e.petition_received("pr1", ago(10), town="浒山"),
        ],
    )
    return deps


def kpi(deps: Deps, name: str, *, at: date | None = None, town: str = "") -> tuple[int, int]:
    found = figures.get_kpi(deps, name=name, at=at, start=None, end=None, town=town)
    return found.numerator, found.denominator


def test_discharge_permit_holding_rate(city: Deps) -> None:
    # Key/simplified: E1 (valid), E2 (none), E4 (revoked 10 days ago), E5 (ran out yesterday); E3 is
    # registration class and needs no permit.
    assert kpi(city, "discharge_permit_holding_rate") == (1, 4)
    assert kpi(city, "discharge_permit_holding_rate", town="浒山") == (1, 2)
    # Twenty days ago E4 and E5 still held theirs.
    assert kpi(city, "discharge_permit_holding_rate", at=D - timedelta(days=20)) == (3, 4)


def test_radiation_permit_holding_rate(city: Deps) -> None:
    assert kpi(city, "radiation_permit_holding_rate") == (1, 2)  # E6 holds one, E7 does not


def test_section_monitoring_coverage(city: Deps) -> None:
    # County-level sections S1 and S2; S2 has been silent since its missing-data fault.
    assert kpi(city, "section_monitoring_coverage") == (1, 2)
    assert kpi(city, "section_monitoring_coverage", at=D - timedelta(days=3)) == (2, 2)


def test_section_target_share(city: Deps) -> None:
    assert kpi(city, "section_target_share") == (2, 3)  # S1's exceedance is open
    assert kpi(city, "section_target_share", at=D - timedelta(days=5)) == (3, 3)
    assert kpi(city, "section_target_share", at=D - timedelta(days=19)) == (2, 3)  # S3's was open


def test_problem_closure_and_on_time_rates(city: Deps) -> None:
    # Opened this year: p1, p2 (closed), p3 (open). Closed this year: c0, c1 on time, c2 escalated late.
    assert kpi(city, "problem_closure_rate") == (2, 3)
    assert kpi(city, "problem_on_time_rate") == (2, 3)


def test_hazard_and_petition_rates(city: Deps) -> None:
    assert kpi(city, "hazard_rectification_rate") == (1, 2)
    assert kpi(city, "petition_on_time_rate") == (2, 3)


def test_radioactive_disposal_rate(deps: Deps) -> None:
    long_ago = ago(400)
    record, dispose = e.disused_source, e.disused_source
    first = record("src1", E6, ago(100), disused_on=D - timedelta(days=100))
    feed(
        deps,
        [
            e.registered(E1, long_ago, town="浒山"),
            e.registered(E6, long_ago, town="龙山", radiation=True),
            e.registered(E7, long_ago, town="龙山", radiation=True),
            first,
            first,  # redelivered: one source
            dispose(
                "src1", E6, ago(20), disused_on=D - timedelta(days=100), disposed_on=D - timedelta(days=20)
            ),
            record("src2", E6, ago(40), disused_on=D - timedelta(days=40)),
            record("src3", E7, ago(10), disused_on=D - timedelta(days=10)),
            # Disposed two days ago, recorded only this morning: it counts from the day it happened.
            dispose(
                "src3", E7, ago(0.1), disused_on=D - timedelta(days=10), disposed_on=D - timedelta(days=2)
            ),
            record("src4", E1, ago(3), disused_on=D - timedelta(days=3)),
        ],
    )
    # Today: disused src1..src4, disposed src1 and src3.
    assert kpi(deps, "radioactive_disposal_rate") == (2, 4)
    assert kpi(deps, "radioactive_disposal_rate", town="龙山") == (2, 3)
    # Five days ago: src4 not yet disused, src3 not yet disposed.
    assert kpi(deps, "radioactive_disposal_rate", at=D - timedelta(days=5)) == (1, 3)
    # Fifty days ago: only src1 was disused, and it was disposed later.
    assert kpi(deps, "radioactive_disposal_rate", at=D - timedelta(days=50)) == (0, 1)
    found = figures.get_kpi(
        deps, name="radioactive_disposal_rate", at=None, start=None, end=None, town="龙山"
    )
    assert found.target == 1.0 and found.newest_event_at == ago(0.1)
    before = figures.get_kpi(
        deps, name="radioactive_disposal_rate", at=D - timedelta(days=200), start=None, end=None, town=""
    )
    assert before.undefined and "no disused source" in before.note


# A station's day of low figures (IAQI: SO2 9, NO2 40, CO 0.7 -> 18, O3 1 h 95 -> 30, O3 8 h 40, PM10
# 40): the AQI is PM2.5's IAQI whenever that is above 40 (HJ 633-2012 table 1).
CLEAN = {"SO2_24H": 9.0, "NO2_24H": 32.0, "CO_24H": 0.7, "O3_1H": 95.0, "O3_8H": 80.0, "PM10_24H": 40.0}


def air(pm25: float, *, drop: tuple[str, ...] = (), **over: float) -> dict[str, float]:
    """A station's published concentrations: the clean ones, PM2.5, `over`, without `drop`."""
    return {k: v for k, v in {**CLEAN, "PM25_24H": pm25, **over}.items() if k not in drop}


def air_story() -> list:
    """Two air stations' days in March 2025 (and one of 2024), A1 in 浒山 and A2 in 观海卫: invalid
    days, a correction, a pollutant nobody measured. The stations' own AQIs are as monitoring would
    publish them; the city's come from the means of the concentrations."""
    march = [date(2025, 3, n) for n in range(1, 8)]
    close = [T0.replace(day=n.day + 1, hour=0) for n in march]  # published after each day closed
    return [
        e.daily_aqi("A1", march[0], close[0], town="浒山", aqi=99, level=2, concentrations=air(74)),
        e.daily_aqi("A1", march[1], close[1], town="浒山", aqi=107, level=3, concentrations=air(80)),
        e.daily_aqi("A1", march[2], close[2], town="浒山", valid=False),
        e.daily_aqi("A1", march[3], close[3], town="浒山", valid=False),
        # Late readings corrected 5 March from good to light: the correction arrives first.
        e.daily_aqi(
            "A1",
            march[4],
            close[4] + timedelta(hours=3),
            town="浒山",
            aqi=132,
            level=3,
            revision=2,
            concentrations=air(100),
        ),
        e.daily_aqi("A1", march[4], close[4], town="浒山", aqi=69, level=2, concentrations=air(50)),
        e.daily_aqi(
            "A1", march[5], close[5], town="浒山", aqi=43, level=1, concentrations=air(30, drop=("CO_24H",))
        ),
        e.daily_aqi(
            "A1", march[6], close[6], town="浒山", aqi=40, level=1, concentrations=air(20, drop=("SO2_24H",))
        ),
        e.daily_aqi("A2", march[0], close[0], town="观海卫", aqi=102, level=3, concentrations=air(76)),
        e.daily_aqi("A2", march[1], close[1], town="观海卫", aqi=158, level=4, concentrations=air(120)),
        e.daily_aqi("A2", march[2], close[2], town="观海卫", aqi=43, level=1, concentrations=air(30)),
        e.daily_aqi("A2", march[3], close[3], town="观海卫", valid=False),
        e.daily_aqi("A2", march[4], close[4], town="观海卫", aqi=82, level=2, concentrations=air(60)),
        e.daily_aqi(
            "A2", march[5], close[5], town="观海卫", aqi=43, level=1, concentrations=air(30, drop=("CO_24H",))
        ),
        e.daily_aqi(
            "A2", march[6], close[6], town="观海卫", aqi=40, level=1, concentrations=air(24, SO2_24H=40)
        ),
        e.daily_aqi(
            "A2",
            date(2024, 12, 31),
            datetime(2025, 1, 1, tzinfo=T0.tzinfo),
            town="观海卫",
            aqi=43,
            level=1,
            concentrations=air(30),
        ),
    ]


def test_good_aqi_day_share_counts_city_days(city: Deps) -> None:
    items = air_story()
    feed(city, items + items[:4])  # twice changes nothing
    found = figures.get_kpi(city, name="good_aqi_day_share", at=None, start=None, end=None, town="")
    # Year to date (1 January - 10 March 2025), one city AQI per day from the stations' means (PM2.5
    # decides; every other IAQI is at most 40):
    #   1 March: A1 74, A2 76 -> 75 -> IAQI 100: good (though A2's own day, 102, was light).
    #   2 March: 80, 120 -> 100 -> 100 + 50/40 x 25 = 131.25 -> 132: light.
    #   3 March: A1 invalid, left out; A2 30 -> 50/35 x 30 = 42.9 -> 43: excellent.
    #   4 March: both invalid: no valid station, left out.
    #   5 March: A1's correction 100 (not its first figure 50), A2 60 -> 80 -> 106.25 -> 107: light.
    #   6 March: neither measured CO: no city AQI, left out.
    #   7 March: PM2.5 20, 24 -> 22 -> 31.4 -> 32; SO2 only from A2, 40 -> 40; AQI 40: excellent.
    # 3 good of 5 city days (A2's 31 December is in 2024).
    assert (found.numerator, found.denominator, found.target) == (3, 5, 0.9)
    assert found.value == 0.6
    assert found.newest_event_at == items[14].occurred_at.ToDatetime(tzinfo=T0.tzinfo)  # 7 March's, last
    assert "city days" in found.note and "1 day with no valid station left out" in found.note
    assert "(CO on 1 day)" in found.note and "3 station-days without valid data" in found.note
    # 浒山 (A1 alone): 1 March 74 -> 99 good; 2 March 107; 5 March 132; 3 and 4 March no valid station;
    # 6 March no CO; 7 March no SO2 (A1 does not measure it): 1 good of 3.
    town = figures.get_kpi(city, name="good_aqi_day_share", at=None, start=None, end=None, town="浒山")
    assert (town.numerator, town.denominator) == (1, 3)
    assert "2 days left out for a pollutant no valid station gave (CO on 1 day, SO2 on 1 day)" in town.note
    # 观海卫 (A2 alone): 102, 158, 43, (invalid), 60 -> 82, (no CO), 24 -> 35 with SO2 40 -> 40: 3 of 5.
    other = figures.get_kpi(city, name="good_aqi_day_share", at=None, start=None, end=None, town="观海卫")
    assert (other.numerator, other.denominator) == (3, 5)
    one_day = figures.get_kpi(
        city, name="good_aqi_day_share", at=None, start=date(2025, 3, 2), end=date(2025, 3, 2), town=""
    )
    assert (one_day.numerator, one_day.denominator) == (0, 1)  # 132, light
    last_year = figures.get_kpi(
        city, name="good_aqi_day_share", at=None, start=date(2024, 12, 1), end=date(2024, 12, 31), town=""
    )
    assert (last_year.numerator, last_year.denominator) == (1, 1)


def test_good_aqi_day_share_without_air_days_is_undefined(city: Deps) -> None:
    found = figures.get_kpi(city, name="good_aqi_day_share", at=None, start=None, end=None, town="")
    assert found.undefined and found.newest_event_at is None


def test_each_kpi_carries_target_and_newest_event(city: Deps) -> None:
    found = figures.get_kpi(city, name="problem_closure_rate", at=None, start=None, end=None, town="")
    assert found.target == 0.95
    assert found.newest_event_at == ago(5)  # c2's closure
    assert (found.start, found.end) == (date(2025, 1, 1), D)


def test_town_scorecard_weighs_each_kpi_against_its_target(city: Deps) -> None:
    card = figures.get_scorecard(city, subject="town:浒山", start=None, end=None)
    # Weighted: discharge 20×(1/2), coverage 10×1, sections 20×((1/2)/0.9), closure 15×1 (2/2 ≥ 0.95),
    # on-time 10×((2/3)/0.9), hazards 10×(1/2), petitions 5×(2/3); radiation has nothing in 浒山.
    weights = 20 + 10 + 20 + 15 + 10 + 10 + 5
    expected = (
        100 * (20 / 2 + 10 + 20 * (0.5 / 0.9) + 15 + 10 * ((2 / 3) / 0.9) + 10 / 2 + 5 * (2 / 3)) / weights
    )
    assert card.score == pytest.approx(expected, abs=0.02)
    assert card.ranked_of == 3 and 1 <= card.rank <= 3


def test_hotspots_by_town_with_trend_and_repeat_offenders(city: Deps) -> None:
    _, period, spots, offenders = figures.hotspots(city, dimension="town", start=None, end=None, limit=5)
    assert [(s.key, s.problems, s.petitions, s.previous_total, s.trend) for s in spots] == [
        ("浒山", 2, 1, 1, 2),  # p0 fell in the previous period of the same length
        ("观海卫", 1, 0, 0, 1),
    ]
    assert [(o.uscc, o.problems) for o in offenders] == [(E1, 2)]
    assert period.previous().end == date(2024, 12, 31)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda d: figures.get_kpi(d, name="nope", at=None, start=None, end=None, town=""), "name"),
        (
            lambda d: figures.get_kpi(
                d, name="section_target_share", at=None, start=D, end=D - timedelta(1), town=""
            ),
            "from",
        ),
        (lambda d: figures.get_scorecard(d, subject="city", start=None, end=None), "subject"),
        (lambda d: figures.hotspots(d, dimension="planet", start=None, end=None, limit=1), "dimension"),
    ],
)
def test_bad_requests_name_the_field(deps: Deps, call, field: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidArgument) as raised:
        call(deps)
    assert raised.value.field == field


def test_each_finished_months_scorecards_are_published_once(city: Deps) -> None:
    # T0 is 10 March 2025: February is the last finished month; the city has three towns.
    assert figures.publish_finished_scorecards(city) == 3
    assert figures.publish_finished_scorecards(city) == 0  # already announced
    with city.engine.connect() as conn:
        query = sa.select(outbox.c.envelope).where(outbox.c.event_type == "ScorecardPublished")
        unpacked = [shared_events.unpack(shared_events.decode(raw)) for raw in conn.execute(query).scalars()]
    payloads = [p for p in unpacked if isinstance(p, evaluation_pb2.ScorecardPublished)]
    assert len(payloads) == len(unpacked) == 3
    periods = {(getattr(p, "from").month, getattr(p, "from").day, p.to.month, p.to.day) for p in payloads}
    assert periods == {(2, 1, 2, 28)}
    february = figures.get_scorecard(city, subject="town:浒山", start=date(2025, 2, 1), end=date(2025, 2, 28))
    [published] = [p.scorecard for p in payloads if p.scorecard.subject == "town:浒山"]
    assert (published.score, published.rank, published.ranked_of) == (
        pytest.approx(february.score),
        february.rank,
        3,
    )


@pytest.mark.parametrize(
    ("today", "first", "last"),
    [
        (date(2025, 1, 1), date(2024, 12, 1), date(2024, 12, 31)),
        (date(2024, 3, 31), date(2024, 2, 1), date(2024, 2, 29)),
        (date(2025, 12, 31), date(2025, 11, 1), date(2025, 11, 30)),
    ],
)
def test_the_last_finished_month(today: date, first: date, last: date) -> None:
    assert last_finished_month(today) == Period(first, last)
