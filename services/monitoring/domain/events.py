"""What monitoring announces, as plain domain values; entrypoints/messages.py turns each into its
contract message (monitoring.proto) when the unit of work writes it to the outbox.

Past tense (or the contract's name), one class per event type; the contract's name of each is the
class name. Each is published with its station as the subject (the Kafka key).
"""

from __future__ import annotations

from dataclasses import dataclass

from services.monitoring.domain import gb3838
from services.monitoring.domain.daily_aqi import DailyFigure
from services.monitoring.domain.electricity import IdleAlarm, IdleRule
from services.monitoring.domain.exceedance import Point
from services.monitoring.domain.records import ExceedanceRecord, FaultRecord, OutletLimitRecord
from services.monitoring.domain.stations import Station


@dataclass(frozen=True)
class StationRegistered:
    station: Station


@dataclass(frozen=True)
class ExceedanceDetected:
    """`observed_class`: a water section's worst GB 3838 class over the evidence (None elsewhere)."""

    record: ExceedanceRecord
    station: Station
    evidence: tuple[Point, ...]
    observed_class: gb3838.WaterClass | None = None


@dataclass(frozen=True)
class ExceedanceCleared:
    """`evidence` is empty when the exceedance was withdrawn or closed by a permit's end."""

    record: ExceedanceRecord
    station: Station
    evidence: tuple[Point, ...]


@dataclass(frozen=True)
class DeviceFault:
    record: FaultRecord
    station: Station
    evidence: tuple[Point, ...]


@dataclass(frozen=True)
class TreatmentIdleWhileProducing:
    """The electricity rule fired: `line` produced while `facility` (its treatment) stood idle."""

    alarm_id: str
    uscc: str
    line: Station
    facility: Station
    rule: IdleRule
    alarm: IdleAlarm


# --- consumed: permits' events as the values the use cases take (translated at the edge) ---


@dataclass(frozen=True)
class PermitLimits:
    """A permit's concentration limits per outlet for its term (PermitIssued, PermitRenewed,
    PermitReinstated); pollutants with only a tonnage limit have none here."""

    permit_number: str
    limits: tuple[OutletLimitRecord, ...]


@dataclass(frozen=True)
class PermitEnded:
    """A permit revoked, expired or suspended (`status` names which) at `at_ms`: its limits end."""

    permit_number: str
    status: str
    at_ms: int


@dataclass(frozen=True)
class DailyAqiComputed:
    """An air station's daily AQI for a closed China-time day (see domain/daily_aqi.py)."""

    station: Station
    figure: DailyFigure
