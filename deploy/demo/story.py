"""Checking that the demo's day of readings told its story: three alarms, or the load fails loudly.

The README promises them: 三八江's ammonia nitrogen worse than its class-IV target, the electroplating
plant's wastewater COD over its permit limit, and the coating plant's production line running while
its treatment facility is idle.
"""

from __future__ import annotations

from dataclasses import dataclass

from deploy.demo import network
from eco.v1 import monitoring_pb2, monitoring_pb2_grpc


@dataclass(frozen=True)
class Expected:
    what: str
    station_id: str
    parameter: str


class StoryNotTold(RuntimeError):
    """The demo's readings did not raise an alarm the README promises."""


def expected_exceedances(stations: list[network.DemoStation]) -> list[Expected]:
    """The two exceedances the readings must open, located on the stations that were registered."""
    section = next(s for s in stations if s.kind == "water" and s.river == network.ROGUE_RIVER)
    rogue_uscc = network.uscc_of(network.ROGUE_OUTLET_SERIAL)
    outlet = next(
        s for s in stations if s.kind == "source" and s.uscc == rogue_uscc and s.outlet_id.endswith("DW001")
    )
    return [
        Expected(
            f"{section.name}: NH3-N worse than class {section.target_class}", section.station_id, "NH3N"
        ),
        Expected(f"{outlet.name}: COD over its permit limit", outlet.station_id, "COD"),
    ]


def idle_line_id() -> str:
    """The production line whose treatment facility goes idle in the readings."""
    return f"P-{network.IDLE_TREATMENT_SERIAL}-L"


def check(
    stub: monitoring_pb2_grpc.MonitoringServiceStub,
    metadata: tuple[tuple[str, str], ...],
    stations: list[network.DemoStation],
    summary: monitoring_pb2.IngestSummary,
) -> list[str]:
    """What the story raised, one line each; raises StoryNotTold naming whatever is missing.

    Exceedances are checked in the service's state, so a second load checks them too. The idle alarm
    has no listing method, so it is checked in the summary of the load that streamed the day first."""
    told, missing = [], []
    for item in expected_exceedances(stations):
        request = monitoring_pb2.ListExceedancesRequest(station_id=item.station_id, open_only=True)
        reply = stub.ListExceedances(request, metadata=metadata)
        found = [x for x in reply.exceedances if x.parameter == item.parameter]
        if found:
            told.append(f"exceedance: {item.what} (max {found[0].max_value:g} {found[0].unit})")
        else:
            missing.append(f"no open {item.parameter} exceedance on {item.station_id} ({item.what})")
    idle = [a for a in summary.alarms if a.kind == monitoring_pb2.ALARM_KIND_TREATMENT_IDLE]
    if any(a.station_id == idle_line_id() for a in idle):
        told.append(f"treatment idle while producing: {idle_line_id()}")
    elif summary.duplicates == 0:
        missing.append(f"no treatment-idle alarm on {idle_line_id()}")
    else:
        told.append(f"treatment idle while producing: {idle_line_id()} (raised by an earlier load)")
    if missing:
        raise StoryNotTold("the demo's story did not happen: " + "; ".join(missing))
    return told
