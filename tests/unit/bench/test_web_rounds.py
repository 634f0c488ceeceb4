"""Judging a route against its baseline over rounds (issue 16's targets, bench/web.py)."""

from __future__ import annotations

import os
import time

import pytest

from bench import cpu, web, wrk


def load(rps: float, p50: float, p99: float, *, name: str = "route", bad: int = 0) -> wrk.Load:
    return wrk.Load(name, rps, p50, p99, requests=int(rps * 10), bad=bad)


def test_every_load_of_a_group_runs_first_in_turn() -> None:
    group = [web.Route(name, "http://x", 8) for name in "abc"]
    orders = ["".join(r.name for r in web.round_order(group, n)) for n in range(4)]
    assert orders == ["abc", "bca", "cab", "abc"]


def test_each_round_is_compared_with_its_own_baseline_and_judged_on_the_median() -> None:
    baseline = [load(1000, 10, 40), load(500, 20, 80), load(800, 12, 50)]
    # Round 2 was slow for both: the route kept 0.8x of a slow baseline, not 0.4x of a fast one.
    route = [load(760, 14, 44), load(400, 26, 96), load(600, 16.5, 55)]
    paired = web.pair(baseline, route)
    assert paired.ratios == pytest.approx([0.76, 0.8, 0.75])
    assert paired.added_p50_ms == pytest.approx([4.0, 6.0, 4.5])
    assert (paired.ratio, paired.added_p50, paired.p99_ratio) == pytest.approx((0.76, 4.5, 1.1))
    assert paired.meets("search")
    assert not web.pair(baseline, [load(760, 16, 44), *route[1:]]).meets("search")  # median +6.0 ms


def test_a_page_must_keep_its_rate_and_its_tail() -> None:
    trivial = [load(8000, 1.5, 9.0)] * 3
    assert web.pair(trivial, [load(6500, 1.6, 17.0)] * 3).meets("page")
    assert not web.pair(trivial, [load(6300, 1.6, 9.0)] * 3).meets("page")  # 0.79x the rate
    assert not web.pair(trivial, [load(8000, 1.6, 18.5)] * 3).meets("page")  # p99 2.06x


def test_rounds_that_do_not_line_up_are_refused() -> None:
    with pytest.raises(ValueError, match="rounds differ"):
        web.pair([load(1, 1, 1)], [load(1, 1, 1), load(1, 1, 1)])


def test_a_routes_row_is_the_median_of_each_figure_and_every_failure() -> None:
    row = web.median_load([load(100, 5, 50, bad=1), load(300, 2, 20), load(200, 9, 10, bad=2)])
    assert (row.rps, row.p50_ms, row.p99_ms, row.requests, row.bad) == (200, 5, 20, 6000, 3)


def test_the_table_shows_each_rounds_figure_beside_the_verdict() -> None:
    figures = web.WebFigures(
        {
            web.ES_NEW: [load(600, 12, 80, name=web.ES_NEW), load(300, 26, 90, name=web.ES_NEW)],
            web.SEARCH_NEW: [load(420, 16, 40, name=web.SEARCH_NEW), load(290, 27, 70, name=web.SEARCH_NEW)],
        },
        propagation_ms=[],
        only="search",
    )
    text = web.table(figures)
    assert "median of 2 rounds" in text
    assert "search, a new query each time: adds 2.5 ms at p50" in text
    assert "0.83x its req/s (target >= 0.70): meets  [rounds: +4.0 ms, +1.0 ms; 0.70x, 0.97x]" in text


def test_the_one_connection_search_is_shown_without_a_verdict() -> None:
    es, gateway = web.ES_NEW_ONE, web.SEARCH_NEW_ONE
    figures = web.WebFigures(
        {es: [load(100, 10, 20, name=es)], gateway: [load(80, 12.5, 25, name=gateway)]},
        propagation_ms=[],
        only="search",
    )
    text = web.table(figures)
    line = next(x for x in text.splitlines() if x.startswith("search, a new query each time, 1 connection"))
    assert line == (
        "search, a new query each time, 1 connection: adds 2.5 ms at p50 over Elasticsearch, "
        "0.80x its req/s (shown, not a target)  [rounds: +2.5 ms; 0.80x]"
    )


def test_cpu_is_read_from_proc_for_this_process_and_the_machine() -> None:
    meter = cpu.Meter(os.getpid())
    meter.start()
    deadline = time.process_time() + 0.2
    while time.process_time() < deadline:  # burn 200 ms of this process's CPU
        pass
    use = meter.stop(requests=10)
    # 200 ms over 10 requests is about 20 ms each. Both clocks count in ticks (10 ms), sampled: a
    # few ticks either way over 10 requests is a few ms per request.
    assert 15 <= use.process_ms <= 40
    assert use.machine_ms >= use.process_ms - 3
    assert 0 <= use.steal_share <= 1


def test_a_command_name_with_spaces_and_parentheses_is_read_past() -> None:
    line = "4242 (py (a) b) S 1 2 3 4 5 6 7 8 9 10 150 50 0 0 20 0 1 0 100 1 1"
    assert cpu.cpu_seconds(line) == pytest.approx(200 * cpu.TICK)
