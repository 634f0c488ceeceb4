"""What monitoring keeps about alarms and a batch of readings, as plain values: the service layer
works on these, and the adapters store and read them (adapters/alarms.py, adapters/readings.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import IntEnum


@dataclass(frozen=True)
class ExceedanceRecord:
    """One exceedance: opened, peaked, perhaps cleared."""

    exceedance_id: str
    series_id: int
    station_id: str
    parameter: str
    unit: str
    limit_value: float
    limit_basis: str
    target_class: int | None
    opened_ts: int
    cleared_ts: int | None
    max_value: float
    max_multiple: float
    uscc: str = ""
    outlet_id: str = ""
    cleared_reason: str = ""


@dataclass(frozen=True)
class FaultRecord:
    """One device fault."""

    fault_id: str
    series_id: int
    station_id: str
    parameter: str
    kind: int
    detail: str
    opened_ts: int
    cleared_ts: int | None


class AlarmKind(IntEnum):
    """What raised an alarm; values match eco.v1.AlarmKind."""

    EXCEEDANCE = 1
    DEVICE_FAULT = 2
    TREATMENT_IDLE = 3


@dataclass(frozen=True)
class Alarm:
    """An alarm raised by a batch, as the ingestion summary reports it."""

    kind: AlarmKind
    alarm_id: str
    station_id: str
    parameter: str
    ts: int


@dataclass(frozen=True)
class OutletLimitRecord:
    """A permit's concentration limit for one outlet and parameter, for the permit's term."""

    outlet_id: str
    parameter: str
    limit_value: float
    floor: float
    unit: str
    uscc: str
    permit_number: str
    valid_from: date
    valid_until: date


@dataclass
class ReadingColumns:
    """Readings of one batch as parallel columns (index i is reading i)."""

    series_ids: list[int]
    ts: list[int]
    values: list[float]
    flags: list[int]

    def __len__(self) -> int:
        return len(self.ts)
