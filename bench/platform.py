"""The whole platform as `make run` starts it (each service and the gateway a process of its own),
on fresh PostgreSQL databases and consumer groups that start at the topics' current end, for the
web benchmarks. The public rate limit is raised so that 429s do not flatter the figures."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import httpx
from kafka import KafkaAdminClient

from deploy.ready import service_serving
from gateway.search import index, indexer
from services.codes.entrypoints import consumers as codes_consumers
from services.enforcement.entrypoints import consumers as enforcement_consumers
from services.enforcement.entrypoints import target_consumers
from services.evaluation.entrypoints import consumers as evaluation_consumers
from services.monitoring.entrypoints import consumers as monitoring_consumers
from services.permits.entrypoints import consumers as permits_consumers
from services.risk.entrypoints import consumers as risk_consumers
from shared.topology import GRPC_SERVICE_NAMES, SERVICES, topic_for
from tests.support import infra
from tests.support.topics import create_topics_if_missing, group_lag, start_group_at_end

TOPICS = [topic_for(s) for s in SERVICES]


@dataclass(frozen=True)
class Platform:
    env: dict[str, str]
    gateway: str  # base URL
    pids: dict[str, int] = field(default_factory=dict)  # each service's and the gateway's process
    groups: dict[str, list[str]] = field(default_factory=dict)  # consumer group -> the topics it reads

    def settle(self, timeout: float = 300) -> None:
        """Wait until every consumer group of the platform has handled everything published so
        far: a consumer still catching up would take CPU from the loads measured next. A group the
        processes joined that `consumer_groups` does not list is refused: it was neither started at
        the topics' end nor waited for, so it would replay history during the loads."""
        bases = [self.env[f"ECO_{name.upper()}_CONSUMER_GROUP"] for name in (*SERVICES, "gateway")]
        unknown = unknown_groups(_broker_groups(), bases, self.groups)
        if unknown:
            raise RuntimeError(
                f"consumer groups {', '.join(unknown)} are not in bench.platform.consumer_groups: "
                "add them (with the topics they read)"
            )
        for group, topics in self.groups.items():
            infra.wait_for(
                partial(_caught_up, group, topics),
                timeout=timeout,
                every=0.5,
                what=f"consumer group {group} to catch up",
            )

    def address(self, service: str) -> str:
        """host:port of a service's gRPC server."""
        return f"127.0.0.1:{self.env[f'ECO_{service.upper()}_GRPC_PORT']}"


def _caught_up(group: str, topics: list[str]) -> bool:
    return group_lag(group, *topics) == 0


def unknown_groups(present: Iterable[str], bases: Iterable[str], known: Iterable[str]) -> list[str]:
    """The groups in `present` named after one of the run's consumer groups (`bases`, each
    process's ECO_<NAME>_CONSUMER_GROUP: its groups are that name or start with it) that `known`
    lacks, sorted."""
    named = tuple(bases)
    return sorted(set(g for g in present if g.startswith(named)) - set(known))


def _broker_groups() -> list[str]:
    admin = KafkaAdminClient(bootstrap_servers=infra.KAFKA.split(","))
    try:
        return [g["group_id"] for g in admin.list_groups()]
    finally:
        admin.close()


def consumer_groups(name: str, group: str) -> dict[str, list[str]]:
    """Every consumer group process `name` (a service or the gateway) reads with, given its
    ECO_<NAME>_CONSUMER_GROUP, and the topics each reads: some run a second consumer with offsets
    of its own, and the gateway's one consumer is its search indexer."""
    readers = {
        "permits": {group: permits_consumers.TOPICS},
        "monitoring": {group: monitoring_consumers.TOPICS},
        "enforcement": {
            group: enforcement_consumers.TOPICS,
            target_consumers.group_for(group): target_consumers.TOPICS,
        },
        "risk": {group: risk_consumers.TOPICS},
        "evaluation": {group: evaluation_consumers.TOPICS},
        "codes": {group: codes_consumers.TOPICS},
        "gateway": {indexer.group_for(group): indexer.TOPICS},
    }
    return {each: list(topics) for each, topics in readers[name].items()}


def _env(run_dir: Path, databases: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECO_") and k != "DATABASE_URL"}
    env.update(
        PYTHONPATH=str(infra.REPO),
        ECO_RUN_DIR=str(run_dir),
        KAFKA_BOOTSTRAP_SERVERS=infra.KAFKA,
        ELASTICSEARCH_URL=infra.ES_URL,
        ECO_GRANTS_FILE=str(infra.GRANTS_FILE),
        ECO_CODES_ALLOW_DEV_KEY="1",
        ECO_GATEWAY_PORT=str(infra.free_port()),
        ECO_PUBLIC_RATE_PER_MINUTE=str(10**9),
        ECO_SEARCH_INDEX_PREFIX=infra.unique("bench-"),
        ECO_LOG_LEVEL="WARNING",
    )
    for name in (*SERVICES, "gateway"):
        env[f"ECO_{name.upper()}_DATABASE_URL"] = databases[name]
        env[f"ECO_{name.upper()}_CONSUMER_GROUP"] = infra.unique(f"{name}-bench-")
        if name != "gateway":
            env[f"ECO_{name.upper()}_GRPC_PORT"] = str(infra.free_port())
    return env


def _wait_ready(platform: Platform, logs: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    pending = set(SERVICES)
    while time.monotonic() < deadline:
        pending = {s for s in pending if not service_serving(platform.address(s), GRPC_SERVICE_NAMES[s])}
        if not pending:
            try:
                if httpx.get(f"{platform.gateway}/docs", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
        time.sleep(0.5)
    raise TimeoutError(
        f"platform not ready after {timeout:.0f}s ({', '.join(pending) or 'gateway'}); see {logs}"
    )


@contextmanager
def running(run_dir: Path) -> Iterator[Platform]:
    """Every service and the gateway as processes, ready; stopped (SIGTERM) afterwards."""
    create_topics_if_missing(*TOPICS)
    with ExitStack() as stack:
        databases = {
            name: stack.enter_context(infra.fresh_postgres_database()) for name in (*SERVICES, "gateway")
        }
        env = _env(run_dir, databases)
        groups = {
            group: topics
            for name in (*SERVICES, "gateway")
            for group, topics in consumer_groups(name, env[f"ECO_{name.upper()}_CONSUMER_GROUP"]).items()
        }
        # All of them, or one replays every earlier run's events while the loads are measured.
        for group, topics in groups.items():
            start_group_at_end(group, *topics)
        platform = Platform(env, f"http://127.0.0.1:{env['ECO_GATEWAY_PORT']}", groups=groups)
        processes = []
        for name in (*SERVICES, "gateway"):
            log = stack.enter_context((run_dir / f"{name}.log").open("wb"))
            module = "gateway" if name == "gateway" else f"services.{name}"
            command = [sys.executable, "-m", module]
            processes.append(
                subprocess.Popen(command, env=env, cwd=infra.REPO, stdout=log, stderr=subprocess.STDOUT)
            )
            platform.pids[name] = processes[-1].pid
        try:
            _wait_ready(platform, run_dir)
            yield platform
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
            _drop_search_index(env)


def _drop_search_index(env: dict[str, str]) -> None:
    """Delete the run's search index: the test servers keep their data between runs, and each run
    would otherwise leave one more index behind (its databases are dropped the same way)."""
    name = index.index_name(env["ECO_SEARCH_INDEX_PREFIX"])
    try:
        httpx.delete(f"{infra.ES_URL}/{name}", params={"ignore_unavailable": "true"}, timeout=30)
    except httpx.HTTPError as exc:
        print(f"bench: could not delete the search index {name}: {exc}", file=sys.stderr)
