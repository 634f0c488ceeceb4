"""Input protobuf cannot carry (a time outside Timestamp's range, a lone surrogate) is refused as
400 naming the field, before any service is called, instead of raising into a 500."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.inputs import In, timestamp
from shared.errors import InvalidArgument
from tests.unit.gateway.support import OFFICER_TOKEN, error_shape, gateway

OFFICER = {"Authorization": f"Bearer {OFFICER_TOKEN}"}


class Untouchable:
    """A stub every call to which fails the test: bad input must not reach a service."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"{name} was called with input the gateway should have refused")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with gateway(tmp_path) as test_client:
        for service in ("enforcement", "risk", "evaluation"):
            setattr(test_client.app.state.clients, service, Untouchable())  # type: ignore[attr-defined]
        yield test_client


@pytest.mark.parametrize(
    "when",
    [
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))),  # before 0001-01-01 UTC
        datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5))),  # after 9999-12-31 UTC
    ],
)
def test_a_time_outside_timestamps_range_is_refused_naming_the_field(when: datetime) -> None:
    with pytest.raises(InvalidArgument) as refused:
        timestamp("opened_from", when)
    assert "opened_from" in str(refused.value) and "between" in str(refused.value)


def test_a_time_in_range_converts() -> None:
    ts = timestamp("at", datetime(2026, 3, 2, 10, tzinfo=timezone(timedelta(hours=8))))
    assert ts is not None and ts.ToDatetime(tzinfo=UTC) == datetime(2026, 3, 2, 2, tzinfo=UTC)


@pytest.mark.parametrize("param", ["opened_from", "opened_to"])
@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00"])
def test_problem_list_answers_400_on_an_extreme_time(client: TestClient, param: str, value: str) -> None:
    answer = client.get("/api/v1/problems", params={param: value}, headers=OFFICER)
    assert answer.status_code == 400, answer.text
    assert error_shape(answer.json()) and answer.json()["message"].startswith(f"{param}:")


def test_a_lone_surrogate_in_a_body_is_refused_naming_the_field(client: TestClient) -> None:
    body = '{"source": "manual", "title": "\\ud800", "description": "x"}'
    answer = client.post(
        "/api/v1/problems", content=body, headers={**OFFICER, "Content-Type": "application/json"}
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "INVALID_ARGUMENT" and answer.json()["message"].startswith("title:")


def test_a_lone_surrogate_in_a_list_is_refused_too() -> None:
    class Tags(In):
        tags: list[str]

    with pytest.raises(ValueError, match="UTF-8"):
        Tags(tags=["ok", "\udfff"])
    assert Tags(tags=["宗汉"]).tags == ["宗汉"]


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        ("username=ad%00min&password=x", "application/x-www-form-urlencoded"),
        ('{"username": "ad\\u0000min", "password": "x"}', "application/json"),
    ],
)
def test_a_nul_in_the_sign_in_form_is_refused_naming_the_field(
    client: TestClient, content: str, content_type: str
) -> None:
    # PostgreSQL cannot store NUL: found by fuzzing POST /login, which answered 500.
    answer = client.post(
        "/login", content=content, headers={"Content-Type": content_type, "Accept": "application/json"}
    )
    assert answer.status_code == 400, answer.text
    assert "username" in answer.text and "control characters" in answer.text


def test_a_control_character_in_a_body_is_refused_naming_the_field(client: TestClient) -> None:
    body = '{"source": "manual", "title": "a\\u0000b", "description": "x"}'
    answer = client.post(
        "/api/v1/problems", content=body, headers={**OFFICER, "Content-Type": "application/json"}
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["message"] == "title: must not contain control characters"


def test_line_breaks_and_tabs_in_a_body_are_text() -> None:
    class Note(In):
        text: str
        tags: dict[str, str]

    assert Note(text="第一行\n\t第二行", tags={"k": "v"}).text == "第一行\n\t第二行"
    with pytest.raises(ValueError, match="bidirectional"):
        Note(text="x", tags={"k\u202e": "v"})
