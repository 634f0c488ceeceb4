"""How source tracing reads an outlet's readings: monitoring's GetTimeSeries over gRPC (hourly means)."""

from __future__ import annotations

import logging
from datetime import datetime

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import monitoring_pb2, monitoring_pb2_grpc
from services.enforcement.domain.tracing import Movement
from shared.grpc.client import call_metadata, channel

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 5.0


def _ts(when: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(when)
    return ts


class MonitoringReadings:
    """Reads the mean of a parameter at a station before and after a moment, from monitoring."""

    def __init__(self, address: str, token: str) -> None:
        self.address = address
        self.token = token
        self._channel: grpc.Channel | None = None

    def _stub(self) -> monitoring_pb2_grpc.MonitoringServiceStub:
        if self._channel is None:
            self._channel = channel(self.address)
        return monitoring_pb2_grpc.MonitoringServiceStub(self._channel)

    def _mean(self, station_id: str, parameter: str, start: datetime, end: datetime) -> float | None:
        request = monitoring_pb2.GetTimeSeriesRequest(
            station_id=station_id, parameter=parameter, interval=monitoring_pb2.INTERVAL_HOUR
        )
        getattr(request, "from").CopyFrom(_ts(start))
        request.to.CopyFrom(_ts(end))
        series = self._stub().GetTimeSeries(
            request, metadata=call_metadata(self.token), timeout=TIMEOUT_SECONDS
        )
        weighted = [(p.mean, p.received) for p in series.points if p.received > 0]
        count = sum(n for _, n in weighted)
        return sum(m * n for m, n in weighted) / count if count else None

    def __call__(
        self, station_id: str, parameter: str, start: datetime, middle: datetime, end: datetime
    ) -> Movement | None:
        """The station's movement, or None when monitoring cannot answer (tracing then says so)."""
        try:
            return Movement(
                self._mean(station_id, parameter, start, middle),
                self._mean(station_id, parameter, middle, end),
            )
        except grpc.RpcError as exc:
            log.warning("readings of %s %s unavailable: %s", station_id, parameter, exc.code())
            return None

    def close(self) -> None:
        """Close the channel."""
        if self._channel is not None:
            self._channel.close()
