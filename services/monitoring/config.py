"""Monitoring's own settings (rule thresholds are local practice), read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from services.monitoring.domain.exceedance import Hysteresis
from services.monitoring.domain.quality import QualityRules
from shared.settings import SettingsError


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


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(name, f"expected an integer, got {raw!r}") from None
    if value < 1:
        raise SettingsError(name, f"must be at least 1, got {value}")
    return value


def load(env: Mapping[str, str] = os.environ) -> MonitoringConfig:
    """Read ECO_MONITORING_* variables; a bad value stops the process naming it."""
    flat = _positive_int(env, "ECO_MONITORING_FLAT_LINE_COUNT", 8)
    if flat < 2:
        raise SettingsError("ECO_MONITORING_FLAT_LINE_COUNT", "must be at least 2")
    group = env.get("ECO_MONITORING_CONSUMER_GROUP", "monitoring")
    if not group.strip() or group != group.strip():
        raise SettingsError(
            "ECO_MONITORING_CONSUMER_GROUP", f"expected a group name without spaces, got {group!r}"
        )
    return MonitoringConfig(
        hysteresis=Hysteresis(
            open_after=_positive_int(env, "ECO_MONITORING_OPEN_AFTER", 3),
            clear_after=_positive_int(env, "ECO_MONITORING_CLEAR_AFTER", 3),
        ),
        quality=QualityRules(
            flat_line_count=flat,
            missing_after_intervals=_positive_int(env, "ECO_MONITORING_MISSING_AFTER_INTERVALS", 3),
        ),
        idle_minutes=_positive_int(env, "ECO_MONITORING_IDLE_MINUTES", 30),
        future_tolerance_seconds=_positive_int(env, "ECO_MONITORING_FUTURE_TOLERANCE_SECONDS", 300),
        sweep_seconds=float(_positive_int(env, "ECO_MONITORING_SWEEP_SECONDS", 60)),
        refresh_seconds=float(_positive_int(env, "ECO_MONITORING_REFRESH_SECONDS", 60)),
        consumer_group=group,
    )
