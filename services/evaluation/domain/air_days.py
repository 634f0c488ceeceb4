"""Air stations' daily AQI as evaluation keeps it (from monitoring's DailyAqiComputed), and which of
two figures of one (station, day) stands.

Monitoring publishes a day once it has closed and again, with a higher revision, when late readings
change its figure. The read model keeps one row per (station, day): the highest revision, ties
broken by event id, so events out of order and twice leave the same row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

# HJ 633-2012 table 2: levels I (excellent, 0-50) and II (good, 51-100) are "good or excellent".
GOOD_LEVELS = (1, 2)


@dataclass(frozen=True)
class AirDay:
    """One station's figure for one China-time day; `valid` False when the day lacked the data of
    GB 3095-2012 table 4 (then aqi and level are 0). `concentrations`:
    each indicator's published concentration ("PM25_24H" -> 38.0; HJ 633-2012 table 1 names), empty
    for an invalid day and for a figure stored before evaluation kept them."""

    station_id: str
    day: date
    town: str
    valid: bool
    aqi: int
    level: int
    primary_pollutants: tuple[str, ...]
    revision: int
    event_id: str
    at: datetime
    concentrations: dict[str, float] = field(default_factory=dict)

    def supersedes(self, other: AirDay) -> bool:
        """Whether this figure replaces `other` for the same station and day."""
        return (self.revision, self.event_id) > (other.revision, other.event_id)
