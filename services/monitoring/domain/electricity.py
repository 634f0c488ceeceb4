"""The electricity rule: a production line drawing power while its treatment facility stays idle.

If the line draws more than its idle threshold while the linked facility draws less than its running
threshold, without a break, for T minutes, the enterprise is suspected of discharging untreated
(a local practice of electricity-based supervision, so the thresholds and T are settings).

The two monitors report on their own clocks, so the rule runs on the merged timeline only up to the
time both have reported (the watermark), holding each curve's last value for a limited time.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from services.monitoring.domain.exceedance import Point


@dataclass(frozen=True)
class IdleRule:
    """Thresholds and duration for one production line and its facility."""

    production_idle_kw: float
    treatment_running_kw: float
    duration_ms: int
    # How long one reading stands for its curve; older than this and the curve is unknown.
    hold_ms: int


@dataclass(frozen=True)
class IdleAlarm:
    """The condition held for the rule's duration; both curves over the period are the evidence."""

    started_at: int
    detected_at: int
    production: tuple[Point, ...]
    treatment: tuple[Point, ...]


def _value_at(points: list[Point], times: list[int], t: int, hold_ms: int) -> float | None:
    i = bisect.bisect_right(times, t) - 1
    if i < 0 or t - times[i] > hold_ms:
        return None
    return points[i].value


@dataclass
class IdleTreatmentDetector:
    """State of the rule for one production line."""

    rule: IdleRule
    production: list[Point] = field(default_factory=list)
    treatment: list[Point] = field(default_factory=list)
    processed_until: int | None = None
    condition_since: int | None = None
    alarmed: bool = False

    def add(self, production: list[Point], treatment: list[Point]) -> list[IdleAlarm]:
        """Take new readings of either curve (any order); returns alarms for periods now complete."""
        for target, new in ((self.production, production), (self.treatment, treatment)):
            for p in new:
                if self.processed_until is None or p.ts > self.processed_until:
                    target.append(p)
            target.sort(key=lambda p: p.ts)
        if not self.production or not self.treatment:
            return []
        watermark = min(self.production[-1].ts, self.treatment[-1].ts)
        alarms = self._run_until(watermark)
        self.processed_until = (
            watermark if self.processed_until is None else max(self.processed_until, watermark)
        )
        self._prune()
        return alarms

    def _run_until(self, watermark: int) -> list[IdleAlarm]:
        p_times = [p.ts for p in self.production]
        t_times = [p.ts for p in self.treatment]
        start = self.processed_until
        instants = sorted(
            {t for t in (*p_times, *t_times) if t <= watermark and (start is None or t > start)}
        )
        alarms: list[IdleAlarm] = []
        for t in instants:
            line = _value_at(self.production, p_times, t, self.rule.hold_ms)
            facility = _value_at(self.treatment, t_times, t, self.rule.hold_ms)
            holds = (
                line is not None
                and facility is not None
                and line > self.rule.production_idle_kw
                and facility < self.rule.treatment_running_kw
            )
            if not holds:
                self.condition_since, self.alarmed = None, False
                continue
            if self.condition_since is None:
                self.condition_since = t
            if not self.alarmed and t - self.condition_since >= self.rule.duration_ms:
                self.alarmed = True
                alarms.append(self._alarm(self.condition_since, t))
        return alarms

    def _alarm(self, since: int, now: int) -> IdleAlarm:
        def window(points: list[Point]) -> tuple[Point, ...]:
            return tuple(p for p in points if since - self.rule.hold_ms <= p.ts <= now)

        return IdleAlarm(since, now, window(self.production), window(self.treatment))

    def _prune(self) -> None:
        # Keep what an open period's evidence needs and the last reading before the watermark.
        keep_from = self.condition_since if self.condition_since is not None else self.processed_until
        if keep_from is None:
            return
        keep_from -= self.rule.hold_ms
        for points in (self.production, self.treatment):
            times = [p.ts for p in points]
            cut = max(0, bisect.bisect_left(times, keep_from) - 1)
            del points[:cut]
