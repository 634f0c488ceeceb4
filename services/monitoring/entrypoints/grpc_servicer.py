"""Monitoring's gRPC layer: translates between protobuf and the service layer, nothing else."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc

from eco.v1 import common_pb2, monitoring_pb2, monitoring_pb2_grpc
from services.monitoring.domain.parameters import StationType
from services.monitoring.entrypoints import messages, requests
from services.monitoring.service_layer import history, queries, stations
from services.monitoring.service_layer.context import Context
from services.monitoring.service_layer.ingest import BatchResult
from shared import paging
from shared.errors import InvalidArgument

# Stations named in one ListStationStatus call (a filter, not a page: the answer is still paged).
MAX_STATION_IDS = 1000


def _page_size(page: common_pb2.PageRequest) -> int:
    return paging.page_size(page.page_size)


def _period(
    request: monitoring_pb2.GetHistoryRequest | monitoring_pb2.GetTimeSeriesRequest,
) -> dict[str, int]:
    """The start and end (epoch ms) of a request's `from`/`to` (`from` is a Python keyword)."""
    return {
        "start": requests.millis(getattr(request, "from"), "from"),
        "end": requests.millis(request.to, "to"),
    }


def _station_type(value: int) -> StationType | None:
    if value == 0:
        return None
    try:
        return StationType(value)
    except ValueError:
        raise InvalidArgument("type", "unknown station type") from None


class MonitoringServicer(monitoring_pb2_grpc.MonitoringServiceServicer):
    """Translates between protobuf and monitoring's service layer."""

    def __init__(self, context: Context) -> None:
        self.ctx = context

    def RegisterStation(
        self, request: monitoring_pb2.RegisterStationRequest, context: grpc.ServicerContext
    ) -> monitoring_pb2.Station:
        """Register a station (idempotent for the identical station)."""
        station, _ = stations.register(self.ctx, station_in=requests.station_in(request.station))
        return messages.station(station)

    def GetStation(
        self, request: monitoring_pb2.GetStationRequest, context: grpc.ServicerContext
    ) -> monitoring_pb2.Station:
        """One station."""
        return messages.station(stations.get_or_raise(self.ctx.engine, station_id=request.station_id).station)

    def ListStations(
        self, request: monitoring_pb2.ListStationsRequest, context: grpc.ServicerContext
    ) -> monitoring_pb2.ListStationsResponse:
        """A page of stations."""
        size = _page_size(request.page)
        found = stations.get_all(
            self.ctx.engine,
            station_type=_station_type(request.type),
            town=request.town,
            after=requests.station_after(request.page.page_token),
            limit=size + 1,
        )
        response = monitoring_pb2.ListStationsResponse(
            stations=[messages.station(s.station) for s in found[:size]]
        )
        if len(found) > size:
            response.page.next_page_token = requests.station_token(found[size - 1].station.station_id)
        return response

    async def StreamReadings(
        self, request_iterator: AsyncIterator[monitoring_pb2.ReadingBatch], context: grpc.aio.ServicerContext
    ) -> monitoring_pb2.IngestSummary:
        """Ingest batches as they come; each is committed before the next is read.

        A coroutine, so a stream waiting for its station holds no thread; each batch's conversion
        and database work runs in a worker thread (with the call's trace and department)."""
        builder = messages.SummaryBuilder()
        batch_no = 0
        async for batch in request_iterator:
            builder.add(batch_no, await asyncio.to_thread(self.ingest_batch, batch))
            batch_no += 1
        return builder.build()

    def IngestReadings(
        self, request: monitoring_pb2.ReadingBatch, context: grpc.ServicerContext
    ) -> monitoring_pb2.IngestSummary:
        """Ingest one batch."""
        builder = messages.SummaryBuilder()
        builder.add(0, self.ingest_batch(request))
        return builder.build()

    def ingest_batch(self, batch: monitoring_pb2.ReadingBatch) -> BatchResult:
        """Convert and ingest one batch (blocking: database and outbox)."""
        return self.ctx.ingestor.ingest(requests.raw_batch(batch))

    def ListStationStatus(
        self, request: monitoring_pb2.ListStationStatusRequest, context: grpc.ServicerContext
    ) -> monitoring_pb2.ListStationStatusResponse:
        """Latest readings and open alarms of a page of stations."""
        if len(request.station_ids) > MAX_STATION_IDS:
            raise InvalidArgument("station_ids", f"at most {MAX_STATION_IDS} per call")
        statuses, next_token = queries.station_status(
            self.ctx.engine,
            self.ctx.clock,
            station_type=_station_type(request.type),
            station_ids=list(request.station_ids),
            after=requests.station_after(request.page.page_token),
            limit=_page_size(request.page),
        )
        response = monitoring_pb2.ListStationStatusResponse(
            statuses=[messages.station_status(s) for s in statuses]
        )
        response.page.next_page_token = requests.station_token(next_token)
        return response

    def GetTimeSeries(
        self, request: monitoring_pb2.GetTimeSeriesRequest, context: grpc.ServicerContext
    ) -> monitoring_pb2.TimeSeries:
        """Aggregated readings of one parameter."""
        series = queries.time_series(
            self.ctx.engine,
            station_id=request.station_id,
            parameter=request.parameter,
            **_period(request),
            interval=request.interval,
        )
        return messages.time_series(series)

    def GetSectionClassHistory(
        self, request: monitoring_pb2.GetHistoryRequest, context: grpc.ServicerContext
    ) -> monitoring_pb2.SectionClassHistory:
        """GB 3838 class per hour or day."""
        found = history.section_classes(
            self.ctx.engine, station_id=request.station_id, **_period(request), interval=request.interval
        )
        return messages.section_class_history(found)

    def GetAqiHistory(
        self, request: monitoring_pb2.GetHistoryRequest, context: grpc.ServicerContext
    ) -> monitoring_pb2.AqiHistory:
        """HJ 633 AQI per hour or day."""
        found = history.aqi_history(
            self.ctx.engine, station_id=request.station_id, **_period(request), interval=request.interval
        )
        return messages.aqi_history(found)

    def GetSectionCoverage(
        self, request: monitoring_pb2.GetSectionCoverageRequest, context: grpc.ServicerContext
    ) -> monitoring_pb2.SectionCoverage:
        """The automatic-monitoring coverage KPI."""
        return messages.section_coverage(queries.section_coverage(self.ctx.engine, self.ctx.clock))

    def ListExceedances(
        self, request: monitoring_pb2.ListExceedancesRequest, context: grpc.ServicerContext
    ) -> monitoring_pb2.ListExceedancesResponse:
        """Exceedances, newest first."""
        size = _page_size(request.page)
        found = queries.exceedances(
            self.ctx.engine,
            station_id=request.station_id,
            open_only=request.open_only,
            after=requests.keyset_after(request.page.page_token),
            limit=size + 1,
        )
        response = monitoring_pb2.ListExceedancesResponse(
            exceedances=[messages.exceedance(e.record, e.station) for e in found[:size]]
        )
        if len(found) > size:
            last = found[size - 1].record
            response.page.next_page_token = requests.keyset_token(last.opened_ts, last.exceedance_id)
        return response

    def ListFaults(
        self, request: monitoring_pb2.ListFaultsRequest, context: grpc.ServicerContext
    ) -> monitoring_pb2.ListFaultsResponse:
        """Device faults, newest first."""
        size = _page_size(request.page)
        found = queries.faults(
            self.ctx.engine,
            station_id=request.station_id,
            open_only=request.open_only,
            after=requests.keyset_after(request.page.page_token),
            limit=size + 1,
        )
        response = monitoring_pb2.ListFaultsResponse(faults=[messages.fault(f) for f in found[:size]])
        if len(found) > size:
            last = found[size - 1]
            response.page.next_page_token = requests.keyset_token(last.opened_ts, last.fault_id)
        return response

    def GetOutletThresholds(
        self, request: monitoring_pb2.GetOutletThresholdsRequest, context: grpc.ServicerContext
    ) -> monitoring_pb2.OutletThresholds:
        """The permit limits in force for an outlet."""
        return messages.outlet_thresholds(
            queries.outlet_thresholds(self.ctx.engine, outlet_id=request.outlet_id)
        )
