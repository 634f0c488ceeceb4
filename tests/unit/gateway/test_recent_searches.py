"""Recent search answers (gateway.search.recent): kept for their time, shared while in flight,
never kept when they fail."""

from __future__ import annotations

import asyncio

import pytest

from gateway.search.recent import RecentAnswers


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Backend:
    """Counts the requests that reach it; each answer names its request number."""

    def __init__(self, delay: float = 0.0, fail: bool = False) -> None:
        self.calls = 0
        self.delay = delay
        self.fail = fail

    async def __call__(self) -> str:
        self.calls += 1
        number = self.calls
        await asyncio.sleep(self.delay)
        if self.fail:
            raise ConnectionError("search server away")
        return f"answer {number}"


def test_an_answer_is_reused_within_its_time_and_asked_again_after() -> None:
    clock, backend = Clock(), Backend()
    recent = RecentAnswers[str](0.5, clock=clock)

    async def scenario() -> list[str]:
        first = await recent.get("q", backend)
        clock.now += 0.49
        second = await recent.get("q", backend)
        clock.now += 0.02
        third = await recent.get("q", backend)
        return [first, second, third]

    assert asyncio.run(scenario()) == ["answer 1", "answer 1", "answer 2"]
    assert backend.calls == 2


def test_different_keys_never_share_an_answer() -> None:
    backend = Backend()
    recent = RecentAnswers[str](10, clock=Clock())

    async def scenario() -> tuple[str, str]:
        return await recent.get("a", backend), await recent.get("b", backend)

    assert asyncio.run(scenario()) == ("answer 1", "answer 2")


def test_concurrent_identical_searches_send_one_request() -> None:
    backend = Backend(delay=0.05)
    recent = RecentAnswers[str](0.5)

    async def scenario() -> list[str]:
        return list(await asyncio.gather(*(recent.get("q", backend) for _ in range(20))))

    assert asyncio.run(scenario()) == ["answer 1"] * 20
    assert backend.calls == 1


def test_a_failure_reaches_every_waiter_and_is_not_kept() -> None:
    backend = Backend(delay=0.02, fail=True)
    recent = RecentAnswers[str](10)

    async def scenario() -> list[BaseException | str]:
        return list(
            await asyncio.gather(*(recent.get("q", backend) for _ in range(3)), return_exceptions=True)
        )

    outcomes = asyncio.run(scenario())
    assert all(isinstance(o, ConnectionError) for o in outcomes), outcomes
    assert backend.calls == 1
    backend.fail = False
    assert asyncio.run(recent.get("q", backend)) == "answer 2"


def test_one_waiter_going_away_does_not_cancel_the_others() -> None:
    backend = Backend(delay=0.05)
    recent = RecentAnswers[str](10)

    async def scenario() -> str:
        first = asyncio.create_task(recent.get("q", backend))
        await asyncio.sleep(0.01)
        leaver = asyncio.create_task(recent.get("q", backend))
        await asyncio.sleep(0.01)
        leaver.cancel()
        with pytest.raises(asyncio.CancelledError):
            await leaver
        return await first

    assert asyncio.run(scenario()) == "answer 1"
    assert backend.calls == 1


def test_zero_time_turns_it_off() -> None:
    backend = Backend()
    recent = RecentAnswers[str](0)

    async def scenario() -> list[str]:
        return [await recent.get("q", backend) for _ in range(3)]

    assert asyncio.run(scenario()) == ["answer 1", "answer 2", "answer 3"]
    assert len(recent) == 0


def test_the_oldest_answers_go_first_beyond_the_maximum() -> None:
    backend = Backend()
    recent = RecentAnswers[str](10, max_entries=2, clock=Clock())

    async def scenario() -> str:
        for key in ("a", "b", "c"):
            await recent.get(key, backend)
        return await recent.get("a", backend)  # dropped when c came in: asked again

    assert asyncio.run(scenario()) == "answer 4"
    assert len(recent) == 2


def test_the_caller_that_started_the_search_going_away_leaves_the_others_an_answer() -> None:
    backend = Backend(delay=0.05)
    recent = RecentAnswers[str](10)

    async def scenario() -> tuple[str, str]:
        starter = asyncio.create_task(recent.get("q", backend))
        await asyncio.sleep(0.01)
        others = [asyncio.create_task(recent.get("q", backend)) for _ in range(2)]
        await asyncio.sleep(0.01)
        starter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await starter
        first, second = await asyncio.gather(*others)
        return first, second

    # The starter's search went with it; one of the others asked again and both share that answer.
    assert asyncio.run(scenario()) == ("answer 2", "answer 2")
    assert backend.calls == 2
    assert len(recent) == 1
