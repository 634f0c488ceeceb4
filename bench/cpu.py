"""CPU time from /proc, read around a load: how much the gateway and the whole machine spent per
request, and how much of the machine's time its hypervisor gave to others (steal).

Throughput on a shared 2-core machine moves with everything else that runs; CPU time per request
moves much less, and steal says when the machine itself was the cause.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICK = 1 / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Machine:
    """Seconds of CPU time since boot, over every CPU (/proc/stat's first line)."""

    busy: float  # user, nice, system, irq, softirq
    steal: float  # taken by the hypervisor for other guests
    total: float  # everything, idle included


def machine() -> Machine:
    """The machine's CPU time so far."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return Machine(
        busy=(user + nice + system + irq + softirq) * TICK, steal=steal * TICK, total=sum(fields) * TICK
    )


def cpu_seconds(stat: str) -> float:
    """User and system seconds from a /proc/<pid>/stat line."""
    # The command name in parentheses may hold spaces and parentheses; the fields counted here
    # follow its last ")".
    after = stat.rsplit(")", 1)[1].split()
    return (int(after[11]) + int(after[12])) * TICK  # utime, stime: fields 14 and 15 of proc(5)


def process(pid: int) -> float:
    """Seconds of CPU time process `pid` has used, user and system."""
    return cpu_seconds(Path(f"/proc/{pid}/stat").read_text())


@dataclass(frozen=True)
class Use:
    """CPU spent during one load."""

    process_ms: float  # by the watched process (the gateway), per request
    machine_ms: float  # by the whole machine, per request
    steal_share: float  # of the machine's time, taken by the hypervisor


class Meter:
    """Reads CPU time at `start()` and works out the use per request at `stop(requests)`."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._process = 0.0
        self._machine = Machine(0.0, 0.0, 0.0)

    def start(self) -> None:
        self._process, self._machine = process(self.pid), machine()

    def stop(self, requests: int) -> Use:
        used, now = process(self.pid) - self._process, machine()
        per = 1000 / max(requests, 1)
        elapsed = now.total - self._machine.total
        return Use(
            process_ms=used * per,
            machine_ms=(now.busy - self._machine.busy) * per,
            steal_share=(now.steal - self._machine.steal) / elapsed if elapsed else 0.0,
        )
