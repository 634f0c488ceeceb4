"""The gateway's public-route rules that need no server: petition input, penalties window, rate limit.

(They live with the code service's unit tests because they belong to the public scan.)"""

from datetime import UTC, datetime

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import codes_pb2, common_pb2, enforcement_pb2
from gateway.public.petitions import petition_in
from gateway.public.views import _all_pages, decisions, inspection, status_view
from gateway.ratelimit import RateLimited, RateLimiter
from shared.errors import InvalidArgument

GOOD = {"category": "water", "text": "排口夜间排放黄色污水。", "contact": ""}


@pytest.mark.parametrize("contact", ["13805741234", "0574-63012369", "057463012369", "a.b@example.cn"])
def test_accepted_contacts(contact: str) -> None:
    assert petition_in({**GOOD, "contact": f" {contact} "}).contact == contact


def test_a_petition_without_contact_or_location_leaves_them_unset() -> None:
    request = petition_in(GOOD)
    assert not request.HasField("contact") and not request.HasField("location")
    assert (request.source, request.category) == ("code_page", "water")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": ""}, "category"),
        ({"text": "短"}, "text"),
        ({"text": "正常文字\x00隐藏的控制字符"}, "text"),
        ({"contact": "12345"}, "contact"),
        ({"contact": "1" * 101}, "contact"),
        ({"lat": "30.1"}, "lon"),
        ({"lat": "nan", "lon": "121"}, "lat"),
        ({"lat": "30", "lon": "181"}, "lon"),
    ],
)
def test_refusals_name_the_field(change: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        petition_in({**GOOD, **change})
    assert err.value.field == field


def _decided(
    at: datetime, stage: enforcement_pb2.CaseStage = enforcement_pb2.CASE_STAGE_CLOSED
) -> enforcement_pb2.Case:
    ts = Timestamp()
    ts.FromDatetime(at)
    return enforcement_pb2.Case(
        case_number="c", stage=stage, decision=enforcement_pb2.CaseDecision(decided_at=ts)
    )  # type: ignore[arg-type]


def test_penalties_window_is_three_calendar_years_even_from_29_february() -> None:
    now = datetime(2028, 2, 29, 4, 0, tzinfo=UTC)
    inside = _decided(datetime(2025, 2, 28, 0, 0, tzinfo=UTC))  # 08:00 in Cixi, on the first day
    outside = _decided(datetime(2025, 2, 26, 0, 0, tzinfo=UTC))
    open_cases, penalties = decisions(
        [inside, outside, _decided(now, enforcement_pb2.CASE_STAGE_DECIDED)], now
    )
    assert penalties["since"] == "2025-02-28"
    assert penalties["count"] == 2 and open_cases["count"] == 1


def test_rate_limit_slides_and_keeps_only_keyed_hashes() -> None:
    now = [0.0]
    limiter = RateLimiter(2, window=60, clock=lambda: now[0])
    limiter.hit("203.0.113.7")
    limiter.hit("203.0.113.7")
    with pytest.raises(RateLimited) as err:
        limiter.hit("203.0.113.7")
    assert err.value.retry_after == 60
    limiter.hit("198.51.100.1")  # another client is not affected
    now[0] = 60.5
    limiter.hit("203.0.113.7")  # the window moved on
    assert all("203.0.113.7" not in key for key in limiter._hits)
    assert limiter.client_key("203.0.113.7") != RateLimiter(2).client_key("203.0.113.7")  # per-process key
    now[0] = 200
    assert limiter.tracked_clients() == 0  # nothing is kept once the window has passed


def _ts(at: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(at)
    return ts


def test_freshness_is_the_latest_item_shown_or_the_time_of_the_answer() -> None:
    now = datetime(2025, 6, 1, 4, 0, tzinfo=UTC)
    older, newer = datetime(2025, 1, 2, 1, 0, tzinfo=UTC), datetime(2025, 5, 2, 1, 0, tzinfo=UTC)
    open_case = _decided(older, enforcement_pb2.CASE_STAGE_DECIDED)
    open_case.updated_at.CopyFrom(_ts(newer))  # changed since its decision: that is how fresh it is
    rectifications, penalties = decisions([open_case, _decided(datetime(2024, 3, 1, tzinfo=UTC))], now)
    assert (rectifications["as_of"], rectifications["as_of_kind"]) == (
        "2025-05-02T09:00:00+08:00",
        "latest_item",
    )
    assert (penalties["as_of"], penalties["as_of_kind"]) == ("2025-01-02T09:00:00+08:00", "latest_item")
    none_open, no_penalties = decisions([], now)
    assert (none_open["as_of"], none_open["as_of_kind"]) == ("2025-06-01T12:00:00+08:00", "checked_at")
    assert no_penalties["as_of_kind"] == "checked_at"
    published = enforcement_pb2.InspectionTask(
        status=enforcement_pb2.INSPECTION_TASK_STATUS_PUBLISHED,
        published_at=_ts(newer),
        result=enforcement_pb2.InspectionResult(
            outcome=enforcement_pb2.INSPECTION_OUTCOME_COMPLIANT, inspected_at=_ts(older)
        ),
    )
    shown = inspection([published], now)
    assert (shown["as_of"], shown["date"], shown["outcome"]) == (
        "2025-05-02T09:00:00+08:00",
        "2025-01-02",
        "compliant",
    )
    assert inspection([], now)["as_of_kind"] == "checked_at"


def test_every_page_of_inspection_tasks_is_read() -> None:
    pages = {
        "": enforcement_pb2.ListInspectionTasksResponse(
            tasks=[enforcement_pb2.InspectionTask(task_id="t1")],
            page=common_pb2.PageInfo(next_page_token="p2"),
        ),
        "p2": enforcement_pb2.ListInspectionTasksResponse(
            tasks=[enforcement_pb2.InspectionTask(task_id="t2")]
        ),
    }
    asked: list[str] = []

    def call(request: enforcement_pb2.ListInspectionTasksRequest, **_: object) -> object:
        asked.append(request.page.page_token)
        return pages[request.page.page_token]

    request = enforcement_pb2.ListInspectionTasksRequest(uscc="u", page=common_pb2.PageRequest(page_size=1))
    tasks = _all_pages(call, pages[""], request)
    assert [t.task_id for t in tasks] == ["t1", "t2"] and asked == ["p2"]


def test_an_unrated_enterprise_reads_unrated_not_unspecified() -> None:
    view = status_view(codes_pb2.PublicStatus(uscc="u", credit_level=common_pb2.CREDIT_LEVEL_UNSPECIFIED))
    assert view["credit"]["level"] == "unrated"
    assert (
        status_view(codes_pb2.PublicStatus(credit_level=common_pb2.CREDIT_LEVEL_RED))["credit"]["level"]
        == "red"
    )
