"""Judging a route against its baseline over rounds (issue 16's targets, bench/web.py)."""

from __future__ import annotations

import os
import subprocess
import sys
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


def use(machine: float, **groups: float) -> cpu.Use:
    return cpu.Use(groups.get("gateway", 0.0), machine, 0.0, {cpu.GROUPS[0]: 0.0, **groups})


def test_the_cpu_a_search_spent_beyond_its_baseline_is_broken_down_by_process() -> None:
    es_loads = [load(600, 12, 80, name=web.ES_NEW), load(300, 26, 90, name=web.ES_NEW)]
    gw_loads = [load(420, 16, 40, name=web.SEARCH_NEW), load(290, 27, 70, name=web.SEARCH_NEW)]
    figures = web.WebFigures(
        {web.ES_NEW: es_loads, web.SEARCH_NEW: gw_loads},
        propagation_ms=[],
        only="search",
        cpu={
            web.ES_NEW: [use(6.0, Elasticsearch=5.5, wrk=0.1), use(7.0, Elasticsearch=6.4, wrk=0.1)],
            web.SEARCH_NEW: [
                use(7.2, gateway=0.9, Elasticsearch=5.6, wrk=0.1),
                use(8.4, gateway=1.1, Elasticsearch=6.6, wrk=0.2),
            ],
        },
    )
    lines = web.table(figures).splitlines()
    row = next(x for x in lines if x.startswith(web.SEARCH_NEW) and "  " in x and x.count(".") > 5)
    assert row.split()[-8:] == ["1.00", "0.00", "6.10", "0.00", "0.00", "0.15", "0.00", "0.00"]
    extra = next(x for x in lines if "of machine CPU per request over Elasticsearch" in x)
    # Medians of the rounds' differences: machine +1.2 and +1.4, gateway +0.9 and +1.1, ES +0.1 and +0.2.
    assert extra.startswith("search, a new query each time: +1.30 ms of machine CPU per request")
    assert "gateway +1.00, services +0.00, Elasticsearch +0.15" in extra
    assert "wrk +0.05" in extra


def test_the_platform_at_rest_is_shown_as_shares_of_a_core() -> None:
    es = web.ES_NEW
    figures = web.WebFigures(
        {es: [load(100, 10, 20, name=es)]},
        propagation_ms=[],
        only="search",
        idle={"services": 3.9, "Kafka": 3.5, "machine": 10.3},
    )
    line = next(x for x in web.table(figures).splitlines() if x.startswith("the platform at rest"))
    assert "services 3.9 %, Elasticsearch 0.0 %, Kafka 3.5 %" in line
    assert line.endswith("the machine 10.3 %")


def test_at_rest_is_read_over_the_wait_as_percent_of_a_core() -> None:
    meter = cpu.Meter({os.getpid(): cpu.GATEWAY})
    shares = web.at_rest(meter, 0.3)
    # This process slept: a few ticks at most (10 ms in 300 ms is 3.3 %).
    assert 0 <= shares[cpu.GATEWAY] <= 7
    assert shares["machine"] >= 0


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
    meter = cpu.Meter({os.getpid(): cpu.GATEWAY})
    meter.start()
    deadline = time.process_time() + 0.2
    while time.process_time() < deadline:  # burn 200 ms of this process's CPU
        pass
    use = meter.stop(requests=10)
    # 200 ms over 10 requests is about 20 ms each. Both clocks count in ticks (10 ms), sampled: a
    # few ticks either way over 10 requests is a few ms per request.
    assert 15 <= use.process_ms <= 40
    assert use.groups_ms[cpu.GATEWAY] == use.process_ms
    assert use.machine_ms >= use.process_ms - 3
    assert 0 <= use.steal_share <= 1
    assert set(use.groups_ms) == set(cpu.GROUPS)


def test_a_process_started_during_the_load_counts_whole_in_its_group() -> None:
    meter = cpu.Meter({})
    meter.start()
    # A child that burns about 300 ms and is still there when the meter stops (as wrk is not, but a
    # server's new backend is): a process the start did not see counts from zero.
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time,sys\nt=time.process_time()+0.3\nwhile time.process_time()<t: pass\nsys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
    )
    try:
        while cpu.process(child.pid) < 0.28:
            time.sleep(0.02)
        use = meter.stop(requests=1)
    finally:
        child.communicate(b"")
    assert use.groups_ms[cpu.OTHER] >= 250


def test_a_child_that_ended_during_the_load_counts_as_wrk() -> None:
    meter = cpu.Meter({})
    meter.start()
    burn = "import time\nt = time.process_time() + 0.2\nwhile time.process_time() < t: pass"
    subprocess.run([sys.executable, "-c", burn], check=True)  # ended and waited for, as wrk's run is
    use = meter.stop(requests=1)
    assert use.groups_ms[cpu.WRK] >= 180


def test_processes_are_grouped_by_pid_then_by_name() -> None:
    own = {10: cpu.GATEWAY, 11: cpu.SERVICES}
    assert cpu.group_of(10, "python", own) == cpu.GATEWAY
    assert cpu.group_of(11, "python", own) == cpu.SERVICES
    assert cpu.group_of(12, "postgres", own) == cpu.POSTGRES
    assert cpu.group_of(13, "wrk", own) == cpu.WRK
    assert cpu.group_of(14, "python", own) == cpu.OTHER
    # A java that is not there any more (or whose command line names neither server) is other.
    assert cpu.group_of(2**22 + 7, "java", own) == cpu.OTHER
    assert cpu.group_of(os.getpid(), "java", {}) == cpu.OTHER  # this python's command line names neither


def test_a_jvm_is_told_apart_by_its_main_class_alone_or_after_its_module() -> None:
    assert cpu.java_group([b"java", b"-cp", b"libs/*", b"kafka.Kafka", b"server.properties"]) == cpu.KAFKA
    es = b"org.elasticsearch.server/org.elasticsearch.bootstrap.Elasticsearch"
    assert cpu.java_group([b"java", b"-m", es]) == cpu.ELASTICSEARCH
    assert cpu.java_group([b"java", b"org.elasticsearch.launcher.CliToolLauncher"]) == cpu.OTHER


def test_the_command_name_is_read_between_the_first_and_last_parenthesis() -> None:
    assert cpu.command_name("4242 (py (a) b) S 1 2 3") == "py (a) b"


def test_a_command_name_with_spaces_and_parentheses_is_read_past() -> None:
    line = "4242 (py (a) b) S 1 2 3 4 5 6 7 8 9 10 150 50 0 0 20 0 1 0 100 1 1"
    assert cpu.cpu_seconds(line) == pytest.approx(200 * cpu.TICK)
