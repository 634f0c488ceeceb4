"""The wired-up pieces a use case needs, built once by bootstrap (bootstrap.make_context, which wires
the event translation; tests build theirs there too)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from services.monitoring.config import MonitoringConfig
from services.monitoring.service_layer.assessment import Assessor
from services.monitoring.service_layer.catalog import Catalog
from services.monitoring.service_layer.evaluator import Evaluator
from services.monitoring.service_layer.ingest import Ingestor
from shared.clock import Clock
from shared.unit_of_work import Deps, Translate

SERVICE = "monitoring"


@dataclass(kw_only=True)
class Context(Deps):
    """The shared dependency bundle plus the caches and ingestion pipeline of one monitoring process."""

    source: str = SERVICE
    config: MonitoringConfig
    catalog: Catalog
    assessor: Assessor
    evaluator: Evaluator
    ingestor: Ingestor = field(init=False)

    def __post_init__(self) -> None:
        self.ingestor = Ingestor(self, self.evaluator, self.config.future_tolerance_seconds * 1000)

    @classmethod
    def build(
        cls,
        engine: Engine,
        clock: Clock,
        config: MonitoringConfig,
        notify: Callable[[], None],
        *,
        translate: Translate,
    ) -> Context:
        """Wire the pieces (nothing connects yet)."""
        catalog = Catalog()
        assessor = Assessor()
        return cls(
            engine=engine,
            clock=clock,
            notify=notify,
            translate=translate,
            config=config,
            catalog=catalog,
            assessor=assessor,
            evaluator=Evaluator(config, catalog, assessor),
        )

    def load(self) -> None:
        """Fill the caches from the database (after migrations, before serving)."""
        with self.engine.connect() as conn:
            self.catalog.load(conn)
            self.assessor.reload(conn)
