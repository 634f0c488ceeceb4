"""A streaming client in its own process (the GIL of the server's process is the server's alone)."""

from __future__ import annotations

import multiprocessing as mp
import time
from typing import Any

from bench.workload import Workload, batches
from eco.v1 import monitoring_pb2
from shared.grpc.client import call_metadata, channel

METHOD = "/eco.v1.MonitoringService/StreamReadings"


def _run(
    address: str, token: str, workload: Workload, stream: int, end_s: int, ready: Any, go: Any, out: Any
) -> None:
    payloads = batches(workload, stream, end_s)
    with channel(address) as ch:
        call = ch.stream_unary(
            METHOD,
            request_serializer=lambda raw: raw,  # already serialised: no client work while timed
            response_deserializer=monitoring_pb2.IngestSummary.FromString,
        )
        ready.release()
        go.wait()
        started = time.perf_counter()
        summary = call(iter(payloads), metadata=call_metadata(token), timeout=600)
        out.put((stream, started, time.perf_counter(), summary.SerializeToString()))


def stream_all(
    address: str, token: str, workload: Workload, end_s: int
) -> tuple[float, list[monitoring_pb2.IngestSummary]]:
    """Run every stream at once; returns (wall seconds from first send to last summary, summaries)."""
    ctx = mp.get_context("spawn")
    ready, go, out = ctx.Semaphore(0), ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_run, args=(address, token, workload, s, end_s, ready, go, out), daemon=True)
        for s in range(workload.streams)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        ready.acquire()
    go.set()
    results = [out.get(timeout=900) for _ in procs]
    for p in procs:
        p.join(30)
    started = min(r[1] for r in results)
    ended = max(r[2] for r in results)
    return ended - started, [monitoring_pb2.IngestSummary.FromString(r[3]) for r in results]
