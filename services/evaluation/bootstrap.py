"""Wires evaluation's dependencies into a runnable app: servicer, consumer of every topic, and the
periodic re-rating (facts leaving the window, a new rules version taking effect)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import grpc
from sqlalchemy.engine import Engine

from eco.v1 import evaluation_pb2_grpc
from services.evaluation import config
from services.evaluation.entrypoints import consumers, messages
from services.evaluation.entrypoints.grpc_servicer import EvaluationServicer
from services.evaluation.migrations import HISTORY
from services.evaluation.service_layer.rating import rerate_due
from services.evaluation.service_layer.unit_of_work import Deps
from shared.clock import Clock, SystemClock
from shared.periodic import Periodic
from shared.runtime import ServiceApp
from shared.settings import Settings

RERATE_WORKER = "evaluation-rerate"


def make_deps(
    engine: Engine,
    *,
    clock: Clock,
    evaluation_config: config.EvaluationConfig | None = None,
    notify: Callable[[], None] = lambda: None,
) -> Deps:
    """Evaluation's dependency bundle, with its event translation wired (tests build theirs here too)."""
    cfg = evaluation_config or config.load({})
    return Deps(
        engine=engine,
        clock=clock,
        notify=notify,
        translate=messages.event_message,
        rules=cfg.rules,
        targets=cfg.targets,
        font_path=cfg.font_path,
    )


def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    consumer_group: str | None = None,
    topics: list[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> ServiceApp:
    """The evaluation service process."""
    cfg = config.load(settings.env if env is None else env)
    engine, relay = ServiceApp.base(settings)
    deps = make_deps(engine, clock=clock or SystemClock(), evaluation_config=cfg, notify=relay.notify)

    def register(server: grpc.aio.Server) -> None:
        evaluation_pb2_grpc.add_EvaluationServiceServicer_to_server(EvaluationServicer(deps), server)

    return ServiceApp(
        settings=settings,
        engine=engine,
        relay=relay,
        migrations=HISTORY,
        register=register,
        background=[
            consumers.build(
                deps,
                settings.kafka_bootstrap_servers,
                group_id=consumer_group or settings.consumer_group,
                topics=topics,
            ),
            Periodic(RERATE_WORKER, cfg.rerate_seconds, lambda: rerate_due(deps), run_first=True),
        ],
    )
