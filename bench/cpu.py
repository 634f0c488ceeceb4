"""CPU time from /proc, read around a load: how much each kind of process (the gateway, the
services, Elasticsearch, Kafka, PostgreSQL, wrk) and the whole machine spent per request, and how much
of the machine's time its hypervisor gave to others (steal).

Throughput on a shared 2-core machine moves with everything else that runs; CPU time per request
moves much less, and steal says when the machine itself was the cause. The breakdown by process says
where a route's CPU beyond its baseline's went: issue 16's search verdict swung on CPU spent outside
the gateway, which one machine-wide figure could not name.
"""

from __future__ import annotations

import os
import resource
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

TICK = 1 / os.sysconf("SC_CLK_TCK")

# Who spent CPU, in the order reports show them. The platform's own processes are known by pid; the
# servers by their names; "interrupts" is the machine's irq and softirq time, which no process is
# charged with (much of a loopback packet's receiving happens there).
GATEWAY = "gateway"
SERVICES = "services"
ELASTICSEARCH = "Elasticsearch"
KAFKA = "Kafka"
POSTGRES = "PostgreSQL"
WRK = "wrk"
OTHER = "other"
INTERRUPTS = "interrupts"
GROUPS = (GATEWAY, SERVICES, ELASTICSEARCH, KAFKA, POSTGRES, WRK, OTHER, INTERRUPTS)
# A JVM is told apart by its main class (Elasticsearch's launcher is a small JVM of its own: other).
_JAVA_MAIN = {"org.elasticsearch.bootstrap.Elasticsearch": ELASTICSEARCH, "kafka.Kafka": KAFKA}


@dataclass(frozen=True)
class Machine:
    """Seconds of CPU time since boot, over every CPU (/proc/stat's first line)."""

    busy: float  # user, nice, system, irq, softirq
    steal: float  # taken by the hypervisor for other guests
    total: float  # everything, idle included
    interrupts: float = 0.0  # irq and softirq (a part of busy)


def machine() -> Machine:
    """The machine's CPU time so far."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return Machine(
        busy=(user + nice + system + irq + softirq) * TICK,
        steal=steal * TICK,
        total=sum(fields) * TICK,
        interrupts=(irq + softirq) * TICK,
    )


def cpu_seconds(stat: str) -> float:
    """User and system seconds from a /proc/<pid>/stat line."""
    # The command name in parentheses may hold spaces and parentheses; the fields counted here
    # follow its last ")".
    after = stat.rsplit(")", 1)[1].split()
    return (int(after[11]) + int(after[12])) * TICK  # utime, stime: fields 14 and 15 of proc(5)


def command_name(stat: str) -> str:
    """The command name (comm) of a /proc/<pid>/stat line: what is between the first "(" and the last ")"."""
    return stat[stat.index("(") + 1 : stat.rindex(")")]


def process(pid: int) -> float:
    """Seconds of CPU time process `pid` has used, user and system."""
    return cpu_seconds(Path(f"/proc/{pid}/stat").read_text())


def group_of(pid: int, comm: str, own: Mapping[int, str]) -> str:
    """Which of GROUPS process `pid` (named `comm`) counts in; `own` names the platform's processes."""
    if pid in own:
        return own[pid]
    if comm == "java":
        try:
            return java_group(Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0"))
        except OSError:
            return OTHER  # gone since its stat was read
    if comm.startswith("postgres"):
        return POSTGRES
    if comm == WRK:
        return WRK
    return OTHER


def java_group(command: list[bytes]) -> str:
    """Elasticsearch's or Kafka's group for a JVM's command line (its arguments), or OTHER."""
    # The main class is an argument of its own, alone or after its module (module/class).
    mains = {arg.rsplit(b"/", 1)[-1].decode(errors="replace") for arg in command}
    return next((group for main, group in _JAVA_MAIN.items() if main in mains), OTHER)


def by_group(own: Mapping[int, str]) -> dict[int, tuple[str, float]]:
    """Every process's group and CPU seconds so far (a process that ends meanwhile is left out)."""
    seen: dict[int, tuple[str, float]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue  # ended between the listing and the read
        seen[pid] = (group_of(pid, command_name(stat), own), cpu_seconds(stat))
    return seen


@dataclass(frozen=True)
class Use:
    """CPU spent during one load, in ms per request."""

    process_ms: float  # by the watched group (the gateway)
    machine_ms: float  # by the whole machine
    steal_share: float  # of the machine's time, taken by the hypervisor
    groups_ms: dict[str, float] = field(default_factory=dict)  # by each of GROUPS


def _ended_children() -> float:
    """CPU seconds of this process's children that have ended and been waited for (wrk's loads)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


class Meter:
    """Reads CPU time at `start()` and works out the use per request at `stop(requests)`.

    `own` names the platform's processes by pid (GATEWAY, SERVICES); `watched` is the group reported
    as `process_ms`. A process started during the load counts from zero. Of those that ended during
    it, this process's own children (wrk, waited for) count as WRK; others' are left out, as are
    ended threads' (their time is in no /proc/<pid>/stat).
    """

    def __init__(self, own: Mapping[int, str], watched: str = GATEWAY) -> None:
        self.own = dict(own)
        self.watched = watched
        self._before: dict[int, tuple[str, float]] = {}
        self._machine = Machine(0.0, 0.0, 0.0)
        self._children = 0.0

    def start(self) -> None:
        self._before, self._machine = by_group(self.own), machine()
        self._children = _ended_children()

    def stop(self, requests: int) -> Use:
        after, now = by_group(self.own), machine()
        # wrk has ended by now: its time is in this process's children's, not in /proc.
        ended = _ended_children() - self._children
        per = 1000 / max(requests, 1)
        spent = dict.fromkeys(GROUPS, 0.0)
        for pid, (group, seconds) in after.items():
            before = self._before.get(pid)
            # A pid reused by a new process during the load reads lower than before: count it whole.
            earlier = before[1] if before is not None and before[1] <= seconds else 0.0
            spent[group] = spent.get(group, 0.0) + (seconds - earlier) * per
        spent[WRK] += ended * per
        spent[INTERRUPTS] = (now.interrupts - self._machine.interrupts) * per
        elapsed = now.total - self._machine.total
        return Use(
            process_ms=spent.get(self.watched, 0.0),
            machine_ms=(now.busy - self._machine.busy) * per,
            steal_share=(now.steal - self._machine.steal) / elapsed if elapsed else 0.0,
            groups_ms=spent,
        )
