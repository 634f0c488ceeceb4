"""python -m bench: every benchmark with its baselines, a results table, and a profile summary.

Sizes come from the environment: BENCH_READINGS (per stream, default 150000), BENCH_STREAMS (2),
BENCH_STATIONS (100), BENCH_BATCH (500), BENCH_KAFKA_MESSAGES (100000), BENCH_PROFILE (1: also run
once under cProfile); for the web benchmarks BENCH_WEB_SECONDS (10 per route), BENCH_WEB_ENTERPRISES
(300), BENCH_WEB_INCIDENTS (40), BENCH_WEB_ROUNDS (3: each load and its baseline measured in turn
this many times, judged on the medians), BENCH_WEB_WARMUP (2: seconds of each load run first and not
counted), BENCH_WEB_ES_WARMUP (90: at most this many seconds of new queries straight to
Elasticsearch first, until its rate stops rising), BENCH_WEB_ONLY (pages, search or propagation:
that part of the web benchmarks alone, a few minutes instead of ten while working on one route).
BENCH_ONLY=ingest or BENCH_ONLY=web runs one group. Results are written to bench/results/ (gitignored).
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from bench import ingest, web
from bench.ingest import Figure, progress
from bench.workload import Workload
from tests.support import infra

TARGET = 50_000  # readings/s with batches of 500 on a 2-core machine (issue 4)
RESULTS = Path(__file__).resolve().parent / "results"


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _table(figures: list[Figure], real: Figure, noop: Figure, kafka: Figure) -> str:
    lines = [
        f"{'benchmark':<78} {'count':>9} {'seconds':>8} {'per second':>11} {'vs no-op':>9} {'vs Kafka':>9}",
        "-" * 128,
    ]
    for f in figures:
        lines.append(
            f"{f.name:<78} {f.count:>9} {f.seconds:>8.2f} {f.rate:>11,.0f} "
            f"{f.rate / noop.rate:>9.2f} {f.rate / kafka.rate:>9.2f}"
        )
        if f.note:
            lines.append(f"{'':<4}{f.note}")
    verdict = "meets" if real.rate >= TARGET else "misses"
    lines.append("")
    lines.append(f"target {TARGET:,} readings/s: the service {verdict} it ({real.rate:,.0f} readings/s)")
    return "\n".join(lines)


def postgres_durability() -> str:
    """The server's flush settings, printed with the figures, since they change what a commit costs."""
    engine = sa.create_engine(f"{infra.PG_BASE}/postgres")
    try:
        with engine.connect() as conn:
            settings = [
                f"{name}={conn.execute(sa.text(f'SHOW {name}')).scalar_one()}"
                for name in ("fsync", "synchronous_commit")
            ]
    finally:
        engine.dispose()
    return ", ".join(settings)


def main() -> None:
    """Run the groups BENCH_ONLY names (default: all) and print their tables."""
    only = os.environ.get("BENCH_ONLY", "")
    if only not in ("", "ingest", "web"):
        raise SystemExit(f"BENCH_ONLY must be ingest or web, got {only!r}")
    if only in ("", "ingest"):
        main_ingest()
    if only in ("", "web"):
        main_web()


def main_web() -> None:
    """The code page, search and propagation benchmarks (issue 16), each with its same-run baseline."""
    run_dir = Path(tempfile.mkdtemp(prefix="eco-bench-web-"))
    figures = web.run(
        run_dir,
        web.Plan(
            seconds=_int("BENCH_WEB_SECONDS", 10),
            rounds=_int("BENCH_WEB_ROUNDS", 3),
            warmup=_int("BENCH_WEB_WARMUP", 2),
            es_warmup=_int("BENCH_WEB_ES_WARMUP", 90),
        ),
        enterprises=_int("BENCH_WEB_ENTERPRISES", 300),
        incidents=_int("BENCH_WEB_INCIDENTS", 40),
        only=os.environ.get("BENCH_WEB_ONLY", ""),
    )
    table = web.table(figures)
    print()
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"web-{time.strftime('%Y%m%d-%H%M%S')}.txt").write_text(table + "\n", encoding="utf-8")
    print(f"results written to {RESULTS}; process logs in {run_dir}")


def main_ingest() -> None:
    """Ingestion through StreamReadings against the no-op and Kafka baselines."""
    workload = Workload(
        stations=_int("BENCH_STATIONS", 100),
        streams=_int("BENCH_STREAMS", 2),
        readings_per_stream=_int("BENCH_READINGS", 150_000),
        batch_size=_int("BENCH_BATCH", 500),
    )
    print(f"bench: {workload}, {os.cpu_count()} CPUs, Python {platform.python_version()}", flush=True)
    durability = postgres_durability()
    print(f"bench: PostgreSQL {durability}", flush=True)
    if "fsync=off" in durability:
        print(
            "bench: NOTE commits are not flushed to disk on this server; start it with PG_DURABLE=1",
            flush=True,
        )
    run_dir = Path(tempfile.mkdtemp(prefix="eco-bench-"))
    progress("Kafka producer baseline")
    kafka = ingest.kafka_run(_int("BENCH_KAFKA_MESSAGES", 100_000))
    progress(f"{kafka.rate:,.0f} messages/s")
    progress("no-op servicer baseline")
    noop = ingest.noop_run(workload)
    progress(f"{noop.rate:,.0f} readings/s")
    progress("monitoring service")
    real, _ = ingest.monitoring_run(workload, run_dir, profile=False)
    progress(f"{real.rate:,.0f} readings/s")
    figures = [real, noop, kafka]
    profile_text = ""
    if _int("BENCH_PROFILE", 1):
        progress("monitoring service again under cProfile (slower; for where the time goes)")
        profiled, profile_text = ingest.monitoring_run(workload, run_dir, profile=True)
        figures.insert(1, profiled)
    table = _table(figures, real, noop, kafka) + f"\nPostgreSQL: {durability}"
    print()
    print(table)
    if profile_text:
        print("\nWhere the threads that ingest streamed batches spend their time (cProfile, by own time):")
        print(profile_text)
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"ingest-{stamp}.txt").write_text(table + "\n\n" + profile_text, encoding="utf-8")
    (RESULTS / f"ingest-{stamp}.json").write_text(
        json.dumps(
            {
                "workload": workload.__dict__,
                "figures": [
                    {"name": f.name, "count": f.count, "seconds": f.seconds, "rate": f.rate, **f.extra}
                    for f in figures
                ],
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    print(f"results written to {RESULTS}")


if __name__ == "__main__":
    main()
