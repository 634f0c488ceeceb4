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
from services.monitoring.service_layer.recording import SOURCE
from shared.clock import Clock
from shared.unit_of_work import Deps


@dataclass(kw_only=True)
class Context(Deps):
    """The shared dependency bundle plus the caches and ingestion pipeline of one monitoring process."""

    source: str = SOURCE
    config: MonitoringConfig
    catalog: Catalog
    assessor: Assessor
    evaluator: Evaluator
    ingestor: Ingestor

    @classmethod
    def build(
        cls, engine: Engine, clock: Clock, config: MonitoringConfig, notify: Callable[[], None]
    ) -> Context:
        """Wire the pieces (nothing connects yet)."""
        catalog = Catalog()
        assessor = Assessor()
        evaluator = Evaluator(config, catalog, assessor)
        ingestor = Ingestor(engine, evaluator, clock, config.future_tolerance_seconds * 1000, notify)
        return cls(
            engine=engine,
            clock=clock,
            notify=notify,
            config=config,
            catalog=catalog,
            assessor=assessor,
            evaluator=evaluator,
            ingestor=ingestor,
        )

    def load(self) -> None:
        """Fill the caches from the database (after migrations, before serving)."""
        with self.engine.connect() as conn:
            self.catalog.load(conn)
            self.assessor.reload(conn)
