"""Settings (the consumer group), and keyset page tokens of the newest-first lists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from eco.v1 import common_pb2, monitoring_pb2
from services.monitoring import config
from services.monitoring.bootstrap import build
from services.monitoring.entrypoints.consumers import PermitConsumer
from services.monitoring.entrypoints.grpc_servicer import MonitoringServicer
from shared import settings
from shared.errors import InvalidArgument
from shared.settings import SettingsError
from tests.unit.monitoring.support import HOUR, START_MS, Harness, water_station


def test_consumer_group_comes_from_the_environment(tmp_path: Path) -> None:
    assert config.load({}).consumer_group == "monitoring"
    assert config.load({"ECO_MONITORING_CONSUMER_GROUP": "monitoring-b"}).consumer_group == "monitoring-b"
    with pytest.raises(SettingsError, match="ECO_MONITORING_CONSUMER_GROUP"):
        config.load({"ECO_MONITORING_CONSUMER_GROUP": " "})
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}", "ECO_MONITORING_CONSUMER_GROUP": "second-site"}
    app = build(settings.load("monitoring", env), config=config.load(env))
    (consumer,) = [w for w in app.background if isinstance(w, PermitConsumer)]
    assert consumer.group_id == "second-site"


def _faults(h: Harness) -> None:
    """Six negative-concentration faults: three per series, each opened and closed again."""
    rows: list[tuple[str, str, int, float]] = []
    for code in ("NH3N", "TP"):
        rows += [("WS-1", code, START_MS + i * 4 * HOUR, -1.0 if i % 2 == 0 else 0.1) for i in range(6)]
    h.ingest(rows)


def _list(servicer: MonitoringServicer, token: str, size: int = 4) -> Any:
    request = monitoring_pb2.ListFaultsRequest(page=common_pb2.PageRequest(page_size=size, page_token=token))
    return servicer.ListFaults(request, None)  # type: ignore[arg-type]


def test_fault_pages_follow_each_other_by_keyset_and_bad_tokens_are_refused(tmp_path: Path) -> None:
    h = Harness(tmp_path)
    h.register(water_station())
    _faults(h)
    servicer = MonitoringServicer(h.ctx)
    first = _list(servicer, "")
    second = _list(servicer, first.page.next_page_token)
    assert len(first.faults) == 4 and len(second.faults) == 2 and second.page.next_page_token == ""
    listed = [(f.opened_at.ToMilliseconds(), f.fault_id) for f in [*first.faults, *second.faults]]
    assert len(set(listed)) == 6 and [t for t, _ in listed] == sorted((t for t, _ in listed), reverse=True)
    for bad in ("9" * 30, "12", "1.2.3", "1." + "a" * 40, "x" * 10_000):
        with pytest.raises(InvalidArgument) as refused:
            _list(servicer, bad)
        assert refused.value.field == "page.page_token"
