"""What monitoring's read side answers, as plain values: the queries (service_layer/queries.py,
history.py, section_classes.py) build these, and entrypoints/messages.py gives them their contract
form. Times are epoch milliseconds; `interval` is an eco.v1.Interval number (domain/validity.Period).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from services.monitoring.domain.gb3838 import WaterClass
from services.monitoring.domain.records import ExceedanceRecord, OutletLimitRecord
from services.monitoring.domain.stations import Station
from shared.hj633 import AqiResult


@dataclass
class SeriesPoint:
    """One bucket of a time series; mean, low and high are over unflagged readings (None: none)."""

    start: int
    expected: int
    expected_readings: float
    received: int = 0
    flagged: int = 0
    coverage: float = 0.0
    mean: float | None = None
    low: float = 0.0
    high: float = 0.0


@dataclass
class TimeSeries:
    """One parameter's readings aggregated per bucket, and the coverage over the whole range."""

    station_id: str
    parameter: str
    unit: str
    interval: int
    points: list[SeriesPoint] = field(default_factory=list)
    received: int = 0
    expected: float = 0.0
    coverage: float = 0.0


@dataclass(frozen=True)
class ParameterStatus:
    """The latest reading of one parameter (a water section's with its GB 3838 class)."""

    parameter: str
    unit: str
    time: int
    value: float
    flags: int
    exceeding: bool
    water_class: WaterClass | None = None


@dataclass
class StationStatus:
    """A station and where it stands now."""

    station: Station
    open_exceedances: int
    open_faults: int
    notes: list[str] = field(default_factory=list)
    parameters: list[ParameterStatus] = field(default_factory=list)
    last_reading_at: int | None = None
    reporting: bool = False
    water_class: WaterClass | None = None


@dataclass(frozen=True)
class SectionCoverage:
    """The coverage KPI at `at`."""

    value: float
    target: float
    numerator: int
    denominator: int
    silent_station_ids: list[str]
    undefined: bool
    note: str
    at: datetime


@dataclass(frozen=True)
class StationExceedance:
    """An exceedance record with the station it was raised on."""

    record: ExceedanceRecord
    station: Station


@dataclass(frozen=True)
class OutletThresholds:
    """The permit limits in force for an outlet (empty: no valid permit limit)."""

    outlet_id: str
    limits: list[OutletLimitRecord]


@dataclass(frozen=True)
class InvalidBucket:
    """A bucket with readings but no valid figure, and why."""

    start: int
    reason: str


@dataclass(frozen=True)
class AqiPoint:
    """The AQI of one bucket; `notes` names the indicators left out and why (incomplete if any)."""

    start: int
    result: AqiResult
    notes: list[str]


@dataclass
class AqiHistory:
    """AQI per hour or day of an air station."""

    station_id: str
    interval: int
    points: list[AqiPoint] = field(default_factory=list)
    invalid: list[InvalidBucket] = field(default_factory=list)


@dataclass(frozen=True)
class ParameterClass:
    """One parameter's exact mean in a bucket, its class, how many values made it, and the mean as
    compared with the limit (rounded to the limit's decimals)."""

    parameter: str
    mean: float
    water_class: WaterClass
    values: int
    compared_mean: str


@dataclass(frozen=True)
class SectionClassPoint:
    """A section's class in one bucket: the worst of its valid parameters (single-factor method)."""

    start: int
    water_class: WaterClass
    parameters: list[ParameterClass]
    worst_parameters: list[str]
    meets_target: bool
    notes: list[str]


@dataclass
class SectionClassHistory:
    """Class history of a water section."""

    station_id: str
    target_class: WaterClass
    interval: int
    points: list[SectionClassPoint] = field(default_factory=list)
    invalid: list[InvalidBucket] = field(default_factory=list)
