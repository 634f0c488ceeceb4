"""Wires the code service's dependencies into a runnable app."""

from __future__ import annotations

from collections.abc import Mapping

import grpc

from eco.v1 import codes_pb2_grpc
from services.codes import config
from services.codes.adapters.registry import PermitsRegistry
from services.codes.domain.token import KeyRing
from services.codes.entrypoints import consumers, translate
from services.codes.entrypoints.grpc_servicer import CodesServicer
from services.codes.migrations import HISTORY
from services.codes.service_layer.context import Context
from shared.clock import Clock, SystemClock
from shared.consumer import EventConsumer
from shared.runtime import Background, ServiceApp
from shared.settings import Settings


def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    keys: KeyRing | None = None,
    topics: list[str] | None = None,
    group_id: str | None = None,
    env: Mapping[str, str] | None = None,
) -> ServiceApp:
    """The code service process: servicer, consumers of permits' and evaluation's events, outbox relay.

    `keys`, `topics` and `group_id` are for tests, which isolate themselves on their own topics;
    `env` is where the code service's own settings are read (default: the settings' environment)."""
    codes_config = config.load(settings.env if env is None else env, public_base_url=settings.public_base_url)
    engine, relay = ServiceApp.base(settings)
    registry = PermitsRegistry(codes_config.permits_address, codes_config.service_token)
    ctx = Context(
        engine=engine,
        keys=keys or codes_config.keys,
        clock=clock or SystemClock(),
        public_base_url=settings.public_base_url,
        font_path=codes_config.font_path,
        registry=registry,
        notify=relay.notify,
        translate=translate.event_message,
    )
    consumer = EventConsumer(
        engine,
        settings.kafka_bootstrap_servers,
        group_id=group_id or settings.consumer_group,
        topics=topics or consumers.TOPICS,
        handlers=consumers.handlers(ctx),
    )

    def register(server: grpc.aio.Server) -> None:
        codes_pb2_grpc.add_CodesServiceServicer_to_server(CodesServicer(ctx), server)

    background: list[Background] = [consumer, registry]
    return ServiceApp(
        settings=settings,
        engine=engine,
        relay=relay,
        migrations=HISTORY,
        register=register,
        background=background,
    )
