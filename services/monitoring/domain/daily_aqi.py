"""An air station's figure for one closed China-time day, as DailyAqiComputed announces it.

Valid or not (GB 3095-2012 section 7, table 4; HJ 663-2013 for O3): a day is valid only when every
pollutant the station measures gives its daily figure (24-hour means from 20 hourly values, the O3
1-hour maximum of a day of 20 hours and its 8-hour maximum from 14 of the 17 means ending
08:00-24:00). A day short of that has no daily AQI (REFERENCE.md: never computed from what there
is): it is announced as not valid, with the reason, and never counts as a good day.

Why announce invalid days rather than stay silent: the share of good days is over *valid* days,
and a consumer can only tell "no valid data that day" from "not announced yet" if monitoring says
so; a station silent all day is announced invalid too ("no readings").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from shared.hj633 import POLLUTANT, AqiResult

# The daily indicator each measured parameter must give (HJ 633-2012 table 1, 24-hour rows; O3 by
# its 1-hour daily maximum, the 8-hour one being absent only above the table's end).
REQUIRED = {"SO2": "SO2", "NO2": "NO2", "CO": "CO", "O3": "O3", "PM10": "PM10", "PM25": "PM2.5"}


@dataclass(frozen=True)
class DailyFigure:
    """A day's figure: `result` None when not valid, `reason` saying why; `revision` counts
    publications of the same (station, day), 1 for the first."""

    day: date
    result: AqiResult | None
    reason: str = ""
    revision: int = 1

    @property
    def valid(self) -> bool:
        """Whether the day met the data-validity rule (a daily AQI exists)."""
        return self.result is not None

    def signature(self) -> str:
        """The figure as published, compared on recomputation: a change means a corrected figure.
        The reason of an invalid day is left out (a day still invalid is not re-announced)."""
        r = self.result
        if r is None:
            return json.dumps({"valid": False})
        return json.dumps(
            {
                "valid": True,
                "aqi": r.aqi,
                "level": int(r.level),
                "primary": r.primary_pollutants,
                "pollutants": sorted((p.indicator, p.concentration, p.iaqi) for p in r.pollutants),
            },
            sort_keys=True,
        )


def judge(day: date, measured: list[str], result: AqiResult | None, notes: list[str]) -> DailyFigure:
    """The day's figure from air_periods.daily's answer: valid only when nothing was left out and
    every measured pollutant is in the AQI (GB 3095-2012 table 4)."""
    got = {POLLUTANT[p.indicator] for p in result.pollutants} if result else set()
    missing = [code for code in measured if code in REQUIRED and REQUIRED[code] not in got]
    if result is not None and not notes and not missing:
        return DailyFigure(day, result)
    reasons = list(notes)
    silent = [code for code in missing if not any(n.startswith(code) for n in notes)]
    if silent:
        reasons.append(f"no readings of {', '.join(silent)}")
    return DailyFigure(day, None, "; ".join(reasons) or "no readings")
