"""The benchmark's stations and readings: water sections on a 60 s interval, with excursions.

Clients build their batches themselves, already serialised, so that the client's own protobuf work
is done before the clock starts and the figure is the server's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from eco.v1 import common_pb2, monitoring_pb2

CODES = ("NH3N", "DO", "TP", "PH", "CODMN")
# Typical values with a daily wave; NH3N goes over the class III limit in a burst every 200 steps
# so that exceedances open and clear and their events are published during the run.
BASE = {"NH3N": 0.6, "DO": 6.5, "TP": 0.12, "PH": 7.4, "CODMN": 4.0}
INTERVAL_S = 60


@dataclass(frozen=True)
class Workload:
    """How many stations, streams and readings."""

    stations: int = 100
    streams: int = 2
    readings_per_stream: int = 150_000
    batch_size: int = 500

    @property
    def series_per_stream(self) -> int:
        """Series each stream carries (its share of the stations times the parameters)."""
        return self.stations // self.streams * len(CODES)


def station_id(i: int) -> str:
    """The id of bench station i."""
    return f"BENCH-WS-{i:04d}"


def stations(count: int) -> list[monitoring_pb2.Station]:
    """Water sections to register."""
    result = []
    for i in range(count):
        result.append(
            monitoring_pb2.Station(
                station_id=station_id(i),
                name=f"bench section {i}",
                type=monitoring_pb2.STATION_TYPE_WATER_SECTION,
                location=common_pb2.GeoPoint(lat=30.0 + i * 0.001, lon=121.0 + i * 0.001),
                town="Hushan",
                parameters=[
                    monitoring_pb2.MonitoredParameter(
                        code=c, unit="" if c == "PH" else "mg/L", interval_seconds=INTERVAL_S
                    )
                    for c in CODES
                ],
                water_section=monitoring_pb2.WaterSection(
                    river="Bench river",
                    position_km=float(i),
                    target_class=monitoring_pb2.WATER_CLASS_III,
                    water_body=monitoring_pb2.WATER_BODY_RIVER,
                    county_level_or_above=True,
                ),
            )
        )
    return result


def _value(code: str, step: int, k: int) -> float:
    wave = math.sin((step + k * 7) / 240.0 * math.pi)
    # A per-reading wobble keeps values from repeating (no flat-line faults in the workload).
    wobble = ((step * 31 + k * 17) % 97) / 9700.0
    value = BASE[code] * (1 + 0.1 * wave) + wobble
    if code == "NH3N" and (step + k) % 200 < 5:
        value = 1.6 + wobble  # class IV-V: beyond the class III target
    return round(value, 4)


def batches(workload: Workload, stream: int, end_s: int) -> list[bytes]:
    """Serialised ReadingBatch messages of one stream, oldest readings first, ending before end_s."""
    mine = [i for i in range(workload.stations) if i % workload.streams == stream]
    series = [(station_id(i), c, k) for k, (i, c) in enumerate((i, c) for i in mine for c in CODES)]
    steps = math.ceil(workload.readings_per_stream / len(series))
    first = end_s - steps * INTERVAL_S
    result: list[bytes] = []
    batch = monitoring_pb2.ReadingBatch()
    produced = 0
    for step in range(steps):
        seconds = first + step * INTERVAL_S
        for sid, code, k in series:
            if produced == workload.readings_per_stream:
                break
            r = batch.readings.add(station_id=sid, parameter=code, value=_value(code, step, k))
            r.time.seconds = seconds
            produced += 1
            if len(batch.readings) == workload.batch_size:
                result.append(batch.SerializeToString())
                batch = monitoring_pb2.ReadingBatch()
    if len(batch.readings):
        result.append(batch.SerializeToString())
    return result


def reading_size() -> int:
    """Bytes of one serialised reading, for the Kafka baseline's message size."""
    r = monitoring_pb2.Reading(station_id=station_id(1), parameter="NH3N", value=0.6123)
    r.time.seconds = 1_750_000_000
    return len(r.SerializeToString())
