"""Helpers of monitoring's integration tests: a stub, stations, batches, and events read from Kafka."""

from __future__ import annotations

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from kafka import KafkaProducer
from kafka.consumer.fetcher import ConsumerRecord

from eco.v1 import common_pb2, monitoring_pb2, monitoring_pb2_grpc
from shared import events
from shared.grpc.client import channel
from shared.runtime import RunningService
from shared.topology import topic_for
from tests.support.topics import group_from_now, read_from_start

USCC = "91330100716105852F"  # a real code that passes GB 32100 (REFERENCE.md)
HOUR = 3600


def stub(service: RunningService) -> monitoring_pb2_grpc.MonitoringServiceStub:
    """A client of a running monitoring service."""
    return monitoring_pb2_grpc.MonitoringServiceStub(channel(service.address))


def section(station_id: str) -> monitoring_pb2.Station:
    """A class III river section measuring NH3N hourly."""
    return monitoring_pb2.Station(
        station_id=station_id,
        name="Sanbei Canal, Hushan bridge",
        type=monitoring_pb2.STATION_TYPE_WATER_SECTION,
        location=common_pb2.GeoPoint(lat=30.17, lon=121.27),
        town="Hushan",
        parameters=[monitoring_pb2.MonitoredParameter(code="NH3N", unit="mg/L", interval_seconds=HOUR)],
        water_section=monitoring_pb2.WaterSection(
            river="Sanbei Canal",
            position_km=3.5,
            target_class=monitoring_pb2.WATER_CLASS_III,
            water_body=monitoring_pb2.WATER_BODY_RIVER,
            county_level_or_above=True,
        ),
    )


def outlet_monitor(station_id: str, outlet: str) -> monitoring_pb2.Station:
    """An online monitor of COD on an outlet of USCC."""
    return monitoring_pb2.Station(
        station_id=station_id,
        name="outlet monitor",
        type=monitoring_pb2.STATION_TYPE_POLLUTION_SOURCE,
        location=common_pb2.GeoPoint(lat=30.2, lon=121.3),
        town="Zhouxiang",
        parameters=[monitoring_pb2.MonitoredParameter(code="COD", unit="mg/L", interval_seconds=HOUR)],
        source=monitoring_pb2.SourceMonitor(uscc=USCC, outlet_id=outlet),
    )


def batch(
    station_id: str, parameter: str, start: int, values: list[float], step: int = HOUR
) -> monitoring_pb2.ReadingBatch:
    """Readings of one series, `step` seconds apart from `start` (epoch seconds)."""
    readings = monitoring_pb2.ReadingBatch()
    for i, v in enumerate(values):
        r = readings.readings.add(station_id=station_id, parameter=parameter, value=v)
        r.time.seconds = start + i * step
    return readings


def ts(seconds: int) -> Timestamp:
    """A protobuf timestamp."""
    return Timestamp(seconds=seconds)


def publish(kafka: str, service: str, subject: str, payload: Message) -> None:
    """Publish one event on a service's topic, as that service's outbox relay would."""
    producer = KafkaProducer(bootstrap_servers=kafka)
    envelope = events.make_envelope(source=service, subject_id=subject, payload=payload)
    producer.send(topic_for(service), key=subject.encode(), value=envelope.SerializeToString()).get(
        timeout=30
    )
    producer.close()


def events_for(kafka: str, subject: str, event_type: str, expected: int) -> list[object]:
    """Events of one subject and type on the monitoring topic, read from the start."""

    def matching(records: list[ConsumerRecord]) -> list[object]:
        decoded = (events.decode(record.value) for record in records)
        return [events.unpack(e) for e in decoded if e.subject_id == subject and e.type == event_type]

    records = read_from_start(
        topic_for("monitoring"),
        kafka=kafka,
        until=lambda seen: len(matching(seen)) >= expected,
        timeout=60,
        what=f"{expected} {event_type} of {subject}",
    )
    return matching(records)


def permits_group_from_now() -> str:
    """Monitoring's consumer group for permits' events, starting at the topic's current end, so that
    it does not replay everything earlier tests published on that shared topic."""
    return group_from_now("g-mon-", topic_for("permits"))
