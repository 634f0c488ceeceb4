"""Reading wrk's report: the figures the web benchmarks compare."""

from __future__ import annotations

import pytest

from bench import web, wrk

REPORT = """Running 10s test @ http://127.0.0.1:8000/docs
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     9.02ms   17.51ms 173.84ms   95.27%
    Req/Sec     1.72k   300.12     2.10k    80.00%
  Latency Distribution
     50%  750.00us
     75%    7.51ms
     90%   12.06ms
     99%    1.31s{TRAILING}
  17102 requests in 10.01s, 18.53MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   1708.52
Transfer/sec:      1.85MB
""".replace("{TRAILING}", " ")  # wrk ends some latency lines with a space


def test_the_figures_and_failures_are_read_with_their_units() -> None:
    load = wrk.parse("docs", REPORT)
    assert (load.rps, load.p50_ms, load.p99_ms, load.requests, load.bad) == (1708.52, 0.75, 1310.0, 17102, 7)


def test_a_report_without_figures_is_refused() -> None:
    with pytest.raises(ValueError, match="unexpected wrk output"):
        wrk.parse("docs", "unable to connect to 127.0.0.1:1 Connection refused")


def test_ratios_and_percentiles() -> None:
    fast, slow = wrk.parse("a", REPORT), wrk.Load("b", 854.26, 1, 2, 10, 0)
    assert slow.ratio(fast) == pytest.approx(0.5)
    values = [float(v) for v in range(1, 101)]
    assert (web.percentile(values, 0.95), web.percentile(values, 0.5)) == (95.0, 50.0)
