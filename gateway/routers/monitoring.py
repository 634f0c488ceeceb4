"""Monitoring for operators (一网): stations, where each stands now, time series over a period at a
resolution, a water section's class history, an air station's AQI history, the coverage KPI,
exceedances, device faults and an outlet's thresholds. Every rule is the monitoring service's; its
errors come back as HTTP with the same message, and while it is down these routes answer 503.

A grid commissioner lists their town's stations and reads stations of their town (gateway.roles)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from eco.v1 import common_pb2, monitoring_pb2
from gateway import operators
from gateway.calls import call, enum_names, enum_value, timestamp
from gateway.contract import PageOut, page_of
from gateway.errors import API_ERRORS
from gateway.proto_json import model_of, to_json
from shared.errors import InvalidArgument, NotFound

router = APIRouter(prefix="/api/v1/monitoring", tags=["monitoring"], responses=API_ERRORS)
# Who may call each route, and a grid commissioner's area: gateway.roles (tag "monitoring").
Reader = Annotated[operators.Operator, Depends(operators.require())]
PAGE_SIZE = Query(50, ge=1, le=500)
STATION_TYPES = enum_names(monitoring_pb2.StationType, "STATION_TYPE_")
INTERVALS = enum_names(monitoring_pb2.Interval, "INTERVAL_")
DEFAULT_PERIOD = timedelta(hours=24)


# Answers are the service's replies as `to_json` writes them, documented field for field from the
# contract (gateway.proto_json.model_of: extra fields refused, so the document follows proto/).
StationOut: Any = model_of(monitoring_pb2.Station)
StationStatusOut: Any = model_of(monitoring_pb2.StationStatus)
SeriesOut: Any = model_of(monitoring_pb2.TimeSeries)
ClassHistoryOut: Any = model_of(monitoring_pb2.SectionClassHistory)
AqiHistoryOut: Any = model_of(monitoring_pb2.AqiHistory)
CoverageOut: Any = model_of(monitoring_pb2.SectionCoverage)
ExceedanceOut: Any = model_of(monitoring_pb2.Exceedance)
FaultOut: Any = model_of(monitoring_pb2.Fault)
ThresholdsOut: Any = model_of(monitoring_pb2.OutletThresholds)


class StationsOut(PageOut):
    """A page of stations."""

    stations: list[StationOut]  # type: ignore[valid-type]


class StatusesOut(PageOut):
    """A page of station statuses: latest values, reporting, open exceedances and faults."""

    statuses: list[StationStatusOut]  # type: ignore[valid-type]


class ExceedancesOut(PageOut):
    """A page of exceedances (periods a parameter stayed beyond its limit), newest first."""

    exceedances: list[ExceedanceOut]  # type: ignore[valid-type]


class FaultsOut(PageOut):
    """A page of device faults found by data-quality rules, newest first."""

    faults: list[FaultOut]  # type: ignore[valid-type]


def _page(page_size: int, page_token: str) -> common_pb2.PageRequest:
    return common_pb2.PageRequest(page_size=page_size, page_token=page_token)


def _period(from_: str, to: str) -> tuple[Any, Any]:
    """The period [from, to): `to` defaults to now, `from` to 24 hours before `to`."""
    end = timestamp(to, "to") if to else None
    if end is None:
        end = timestamp(datetime.now(UTC).isoformat(), "to")
    start = timestamp(from_, "from") if from_ else None
    if start is None:
        start = timestamp((end.ToDatetime(tzinfo=UTC) - DEFAULT_PERIOD).isoformat(), "from")
    if start.ToDatetime(tzinfo=UTC) >= end.ToDatetime(tzinfo=UTC):
        raise InvalidArgument("from", "must be before to")
    return start, end


FROM = Query("", alias="from", description="Start of the period, ISO 8601 (default: 24 hours before `to`)")
TO = Query("", description="End of the period, ISO 8601 (default: now); without an offset, China time")
INTERVAL = Query("hour", description=f"Resolution: one of {', '.join(INTERVALS)}")


@router.get("/stations", response_model=StationsOut)
def list_stations(
    request: Request,
    _: Reader,
    type: str = Query("", description=f"One of: {', '.join(STATION_TYPES)}"),
    town: str = Query("", description="Only this town, e.g. 浒山街道"),
    page_size: int = PAGE_SIZE,
    page_token: str = "",
) -> StationsOut:
    """Stations by type and town, a page at a time."""
    kind = enum_value(monitoring_pb2.StationType, "STATION_TYPE_", type, "type") if type else None
    reply = call(
        request,
        "monitoring",
        "ListStations",
        monitoring_pb2.ListStationsRequest(type=kind, town=town, page=_page(page_size, page_token)),
    )
    return StationsOut(stations=[to_json(s) for s in reply.stations], **page_of(reply.page))


@router.get("/stations/{station_id}", response_model=StationOut)
def get_station(station_id: str, request: Request, _: Reader) -> dict[str, Any]:
    """One station: type, place, parameters and its details (section, outlet or production line)."""
    station = call(
        request, "monitoring", "GetStation", monitoring_pb2.GetStationRequest(station_id=station_id)
    )
    return to_json(station)


@router.get("/status", response_model=StatusesOut)
def list_status(
    request: Request,
    _: Reader,
    type: str = Query("", description=f"One of: {', '.join(STATION_TYPES)}"),
    station_id: Annotated[list[str] | None, Query(description="Only these stations")] = None,
    page_size: int = PAGE_SIZE,
    page_token: str = "",
) -> StatusesOut:
    """Where every station stands now (latest values, reporting, open exceedances and faults)."""
    kind = enum_value(monitoring_pb2.StationType, "STATION_TYPE_", type, "type") if type else None
    message = monitoring_pb2.ListStationStatusRequest(
        type=kind,
        station_ids=station_id or [],
        page=_page(page_size, page_token),
    )
    reply = call(request, "monitoring", "ListStationStatus", message)
    return StatusesOut(statuses=[to_json(s) for s in reply.statuses], **page_of(reply.page))


@router.get("/stations/{station_id}/status", response_model=StationStatusOut)
def get_status(station_id: str, request: Request, _: Reader) -> dict[str, Any]:
    """Where one station stands now."""
    message = monitoring_pb2.ListStationStatusRequest(station_ids=[station_id], page=_page(1, ""))
    reply = call(request, "monitoring", "ListStationStatus", message)
    if not reply.statuses:
        raise NotFound("station", station_id)
    return to_json(reply.statuses[0])


@router.get("/stations/{station_id}/series", response_model=SeriesOut)
def time_series(
    station_id: str,
    request: Request,
    _: Reader,
    parameter: str = Query(description="A parameter the station measures, e.g. NH3N, PM2.5, COD"),
    from_: str = FROM,
    to: str = TO,
    interval: str = INTERVAL,
) -> dict[str, Any]:
    """One parameter's readings over the period, aggregated at the resolution (empty buckets included)."""
    start, end = _period(from_, to)
    message = monitoring_pb2.GetTimeSeriesRequest(
        station_id=station_id,
        parameter=parameter,
        to=end,
        interval=enum_value(monitoring_pb2.Interval, "INTERVAL_", interval, "interval"),
    )
    getattr(message, "from").CopyFrom(start)
    return to_json(call(request, "monitoring", "GetTimeSeries", message))


def _history(station_id: str, from_: str, to: str, interval: str) -> monitoring_pb2.GetHistoryRequest:
    start, end = _period(from_, to)
    message = monitoring_pb2.GetHistoryRequest(
        station_id=station_id,
        to=end,
        interval=enum_value(monitoring_pb2.Interval, "INTERVAL_", interval, "interval"),
    )
    getattr(message, "from").CopyFrom(start)
    return message


@router.get("/stations/{station_id}/class-history", response_model=ClassHistoryOut)
def class_history(
    station_id: str,
    request: Request,
    _: Reader,
    from_: str = FROM,
    to: str = TO,
    interval: str = Query("day", description=f"Resolution: one of {', '.join(INTERVALS)}"),
) -> dict[str, Any]:
    """A water section's class per bucket over the period."""
    reply = call(request, "monitoring", "GetSectionClassHistory", _history(station_id, from_, to, interval))
    return to_json(reply)


@router.get("/stations/{station_id}/aqi-history", response_model=AqiHistoryOut)
def aqi_history(
    station_id: str,
    request: Request,
    _: Reader,
    from_: str = FROM,
    to: str = TO,
    interval: str = Query("day", description=f"Resolution: one of {', '.join(INTERVALS)}"),
) -> dict[str, Any]:
    """An air station's AQI per bucket over the period."""
    reply = call(request, "monitoring", "GetAqiHistory", _history(station_id, from_, to, interval))
    return to_json(reply)


@router.get("/coverage", response_model=CoverageOut)
def coverage(request: Request, _: Reader) -> dict[str, Any]:
    """The coverage KPI now: sections of county level or above reporting in the last 24 hours."""
    reply = call(request, "monitoring", "GetSectionCoverage", monitoring_pb2.GetSectionCoverageRequest())
    return to_json(reply)


def _exceedances(request: Request, station_id: str, open_only: bool, size: int, token: str) -> ExceedancesOut:
    message = monitoring_pb2.ListExceedancesRequest(
        station_id=station_id, open_only=open_only, page=_page(size, token)
    )
    reply = call(request, "monitoring", "ListExceedances", message)
    return ExceedancesOut(exceedances=[to_json(e) for e in reply.exceedances], **page_of(reply.page))


def _faults(request: Request, station_id: str, open_only: bool, size: int, token: str) -> FaultsOut:
    message = monitoring_pb2.ListFaultsRequest(
        station_id=station_id, open_only=open_only, page=_page(size, token)
    )
    reply = call(request, "monitoring", "ListFaults", message)
    return FaultsOut(faults=[to_json(f) for f in reply.faults], **page_of(reply.page))


@router.get("/exceedances", response_model=ExceedancesOut)
def list_exceedances(
    request: Request,
    _: Reader,
    station_id: str = "",
    open_only: bool = False,
    page_size: int = PAGE_SIZE,
    page_token: str = "",
) -> ExceedancesOut:
    """Exceedances of every station (or one), newest first."""
    return _exceedances(request, station_id, open_only, page_size, page_token)


@router.get("/stations/{station_id}/exceedances", response_model=ExceedancesOut)
def station_exceedances(
    station_id: str,
    request: Request,
    _: Reader,
    open_only: bool = False,
    page_size: int = PAGE_SIZE,
    page_token: str = "",
) -> ExceedancesOut:
    """One station's exceedances, newest first."""
    return _exceedances(request, station_id, open_only, page_size, page_token)


@router.get("/faults", response_model=FaultsOut)
def list_faults(
    request: Request,
    _: Reader,
    station_id: str = "",
    open_only: bool = False,
    page_size: int = PAGE_SIZE,
    page_token: str = "",
) -> FaultsOut:
    """Device faults of every station (or one), newest first."""
    return _faults(request, station_id, open_only, page_size, page_token)


@router.get("/stations/{station_id}/faults", response_model=FaultsOut)
def station_faults(
    station_id: str,
    request: Request,
    _: Reader,
    open_only: bool = False,
    page_size: int = PAGE_SIZE,
    page_token: str = "",
) -> FaultsOut:
    """One station's device faults, newest first."""
    return _faults(request, station_id, open_only, page_size, page_token)


@router.get("/outlets/{outlet_id}/thresholds", response_model=ThresholdsOut)
def outlet_thresholds(outlet_id: str, request: Request, _: Reader) -> dict[str, Any]:
    """The permit limits in force as the outlet's monitor thresholds."""
    reply = call(
        request,
        "monitoring",
        "GetOutletThresholds",
        monitoring_pb2.GetOutletThresholdsRequest(outlet_id=outlet_id),
    )
    return to_json(reply)
