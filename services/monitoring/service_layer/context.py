"""The wired-up pieces a request handler needs, built once by bootstrap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from services.monitoring.config import MonitoringConfig
from services.monitoring.service_layer.assessment import Assessor
from services.monitoring.service_layer.catalog import Catalog
from services.monitoring.service_layer.evaluator import Evaluator
from services.monitoring.service_layer.ingest import Ingestor
from shared.clock import Clock


@dataclass
class Context:
    """Engine, clock, caches and the ingestion pipeline of one monitoring process."""

    engine: Engine
    clock: Clock
    config: MonitoringConfig
    catalog: Catalog
    assessor: Assessor
    evaluator: Evaluator
    ingestor: Ingestor
    # Wakes the outbox relay after a commit that wrote events.
    notify: Callable[[], None]

    @classmethod
    def build(
        cls, engine: Engine, clock: Clock, config: MonitoringConfig, notify: Callable[[], None]
    ) -> Context:
        """Wire the pieces (nothing connects yet)."""
        catalog = Catalog()
        assessor = Assessor()
        evaluator = Evaluator(config, catalog, assessor)
        ingestor = Ingestor(engine, evaluator, clock, config.future_tolerance_seconds * 1000, notify)
        return cls(engine, clock, config, catalog, assessor, evaluator, ingestor, notify)

    def load(self) -> None:
        """Fill the caches from the database (after migrations, before serving)."""
        with self.engine.connect() as conn:
            self.catalog.load(conn)
            self.assessor.reload(conn)
