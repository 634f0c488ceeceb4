"""Monitoring's own settings (rule thresholds are local practice), read once from the environment:
`MonitoringSettings` reads and checks the variables, `MonitoringConfig` is what the service uses."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import field_validator

from services.monitoring.domain.exceedance import Hysteresis
from services.monitoring.domain.quality import QualityRules
from shared.settings import EnvironmentSettings, env_field


@dataclass(frozen=True)
class MonitoringConfig:
    """Thresholds of the exceedance, data-quality and electricity rules, and ingestion limits."""

    hysteresis: Hysteresis = field(default_factory=Hysteresis)
    quality: QualityRules = field(default_factory=QualityRules)
    # Minutes a line may produce with its facility idle before the alarm (per station if it says).
    idle_minutes: int = 30
    # Device clocks drift; readings further ahead than this are refused.
    future_tolerance_seconds: int = 300
    # How often silent stations are looked for, and cached permit limits re-read from the database.
    sweep_seconds: float = 60.0
    refresh_seconds: float = 60.0
    # Kafka consumer group of the permit-event consumer: replicas of one deployment share it; a test
    # or a second deployment names its own, so that neither takes the other's offsets.
    consumer_group: str = "monitoring"
    # How often closed days' daily AQI is looked for, and how many closed days back a late reading
    # still corrects a published figure (services/monitoring/service_layer/daily_aqi.py).
    daily_aqi_seconds: float = 60.0
    daily_aqi_days_back: int = 3


class MonitoringSettings(EnvironmentSettings):
    """Monitoring's variables (ECO_MONITORING_*), checked at start-up."""

    component = "monitoring"
    open_after: int = env_field("ECO_MONITORING_OPEN_AFTER", default=3, ge=1)
    clear_after: int = env_field("ECO_MONITORING_CLEAR_AFTER", default=3, ge=1)
    # A flat line needs at least two equal readings to be one.
    flat_line_count: int = env_field("ECO_MONITORING_FLAT_LINE_COUNT", default=8, ge=2)
    missing_after_intervals: int = env_field("ECO_MONITORING_MISSING_AFTER_INTERVALS", default=3, ge=1)
    idle_minutes: int = env_field("ECO_MONITORING_IDLE_MINUTES", default=30, ge=1)
    future_tolerance_seconds: int = env_field("ECO_MONITORING_FUTURE_TOLERANCE_SECONDS", default=300, ge=1)
    sweep_seconds: int = env_field("ECO_MONITORING_SWEEP_SECONDS", default=60, ge=1)
    refresh_seconds: int = env_field("ECO_MONITORING_REFRESH_SECONDS", default=60, ge=1)
    consumer_group: str = env_field("ECO_MONITORING_CONSUMER_GROUP", default="monitoring")
    daily_aqi_seconds: int = env_field("ECO_MONITORING_DAILY_AQI_SECONDS", default=60, ge=1)
    daily_aqi_days_back: int = env_field("ECO_MONITORING_DAILY_AQI_DAYS_BACK", default=3, ge=1, le=31)

    @field_validator("consumer_group")
    @classmethod
    def _group_name(cls, group: str) -> str:
        if not group.strip() or group != group.strip():
            raise ValueError("expected a group name without spaces")
        return group

    def config(self) -> MonitoringConfig:
        """The thresholds and limits the service runs with."""
        return MonitoringConfig(
            hysteresis=Hysteresis(open_after=self.open_after, clear_after=self.clear_after),
            quality=QualityRules(
                flat_line_count=self.flat_line_count, missing_after_intervals=self.missing_after_intervals
            ),
            idle_minutes=self.idle_minutes,
            future_tolerance_seconds=self.future_tolerance_seconds,
            sweep_seconds=float(self.sweep_seconds),
            refresh_seconds=float(self.refresh_seconds),
            consumer_group=self.consumer_group,
            daily_aqi_seconds=float(self.daily_aqi_seconds),
            daily_aqi_days_back=self.daily_aqi_days_back,
        )


def load(env: Mapping[str, str] = os.environ) -> MonitoringConfig:
    """Read ECO_MONITORING_* variables; a bad value stops the process naming it."""
    return MonitoringSettings.from_env(env).config()
