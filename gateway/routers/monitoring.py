"""Monitoring for operators (一网): stations, where each stands now, time series over a period at a
resolution, a water section's class history, an air station's AQI history, the coverage KPI,
exceedances, device faults and an outlet's thresholds. Every rule is the monitoring service's; its
errors come back as HTTP with the same message, and while it is down these routes answer 503.

A grid commissioner lists their town's stations and reads stations of their town (gateway.roles)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from eco.v1 import common_pb2, monitoring_pb2
from gateway import operators
from gateway.calls import call, enum_names, enum_value, timestamp
from gateway.contract import Open
from gateway.errors import API_ERRORS
from gateway.routers.enterprises import to_json
from shared.errors import InvalidArgument, NotFound

router = APIRouter(prefix="/api/v1/monitoring", tags=["monitoring"], responses=API_ERRORS)
# Who may call each route, and a grid commissioner's area: gateway.roles (tag "monitoring").
Reader = Annotated[operators.Operator, Depends(operators.require())]
PAGE_SIZE = Query(50, ge=1, le=500)
STATION_TYPES = enum_names(monitoring_pb2.StationType, "STATION_TYPE_")
INTERVALS = enum_names(monitoring_pb2.Interval, "INTERVAL_")
DEFAULT_PERIOD = timedelta(hours=24)
STATION_ID = "st-hushan-01"


class StationOut(Open):
    """A monitoring station: water section, air, VOCs, pollution-source or electricity monitor."""

    station_id: str = Field(examples=[STATION_ID])
    name: str = Field(examples=["浒山江 北门桥断面"])
    type: str | None = Field(
        default=None, examples=["water_section"], description=f"One of: {', '.join(STATION_TYPES)}"
    )
    town: str = Field(default="", examples=["浒山街道"])


class StationsOut(BaseModel):
    """A page of stations."""

    stations: list[StationOut]
    next_page_token: str = ""
    total: int = 0


class StationStatusOut(Open):
    """A station and where it stands now: latest values, reporting, open exceedances and faults."""

    station: StationOut | None = None
    reporting: bool = Field(default=False, description="a reading in the last 24 hours")
    open_exceedances: int = 0
    open_faults: int = 0
    water_class: str | None = Field(default=None, examples=["iii"])


class StatusesOut(BaseModel):
    """A page of station statuses."""

    statuses: list[StationStatusOut]
    next_page_token: str = ""
    total: int = 0


class SeriesOut(Open):
    """One parameter aggregated into buckets of the resolution over the period (empty buckets too)."""

    station_id: str = Field(examples=[STATION_ID])
    parameter: str = Field(examples=["NH3N"])
    unit: str = Field(default="", examples=["mg/L"])
    interval: str | None = Field(default=None, examples=["hour"])
    points: list[dict[str, Any]] = Field(default_factory=list)
    coverage: float = Field(
        default=0.0, description="readings received / expected over the period, at most 1"
    )


class ClassHistoryOut(Open):
    """A water section's class per bucket (GB 3838-2002, single-factor), and buckets without a valid mean."""

    station_id: str = Field(examples=[STATION_ID])
    target_class: str | None = Field(default=None, examples=["iii"])
    points: list[dict[str, Any]] = Field(default_factory=list)
    invalid: list[dict[str, Any]] = Field(default_factory=list)


class AqiHistoryOut(Open):
    """An air station's AQI per bucket (HJ 633-2012), and buckets without a valid indicator."""

    station_id: str = Field(examples=["st-air-01"])
    points: list[dict[str, Any]] = Field(default_factory=list)
    invalid: list[dict[str, Any]] = Field(default_factory=list)


class CoverageOut(Open):
    """Sections of county level or above reporting in the last 24 hours, against the target."""

    value: float = Field(examples=[0.95])
    target: float = Field(examples=[0.9])
    numerator: int = 0
    denominator: int = 0
    undefined: bool = False


class ExceedanceOut(Open):
    """A period a parameter stayed beyond its limit."""

    exceedance_id: str
    station_id: str = Field(examples=[STATION_ID])
    parameter: str = Field(examples=["NH3N"])
    limit: float = Field(default=0.0, examples=[1.0])
    limit_basis: str = Field(default="", examples=["GB 3838-2002 class III"])
    open: bool = False
    max_value: float = 0.0
    max_multiple: float = 0.0


class ExceedancesOut(BaseModel):
    """A page of exceedances, newest first."""

    exceedances: list[ExceedanceOut]
    next_page_token: str = ""
    total: int = 0


class FaultOut(Open):
    """A device fault found by a data-quality rule."""

    fault_id: str
    station_id: str = Field(examples=[STATION_ID])
    parameter: str = ""
    kind: str | None = Field(default=None, examples=["flat_line"])
    detail: str = ""
    open: bool = False


class FaultsOut(BaseModel):
    """A page of faults, newest first."""

    faults: list[FaultOut]
    next_page_token: str = ""
    total: int = 0


class ThresholdsOut(Open):
    """The permit limits in force as an outlet's monitor thresholds."""

    outlet_id: str = Field(examples=["91330282MA2A0000X1-WW01"])
    thresholds: list[dict[str, Any]] = Field(default_factory=list)


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
    return StationsOut(
        stations=[StationOut(**to_json(s)) for s in reply.stations],
        next_page_token=reply.page.next_page_token,
        total=reply.page.total,
    )


@router.get("/stations/{station_id}", response_model=StationOut)
def get_station(station_id: str, request: Request, _: Reader) -> StationOut:
    """One station: type, place, parameters and its details (section, outlet or production line)."""
    station = call(
        request, "monitoring", "GetStation", monitoring_pb2.GetStationRequest(station_id=station_id)
    )
    return StationOut(**to_json(station))


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
    return StatusesOut(
        statuses=[StationStatusOut(**to_json(s)) for s in reply.statuses],
        next_page_token=reply.page.next_page_token,
        total=reply.page.total,
    )


@router.get("/stations/{station_id}/status", response_model=StationStatusOut)
def get_status(station_id: str, request: Request, _: Reader) -> StationStatusOut:
    """Where one station stands now."""
    message = monitoring_pb2.ListStationStatusRequest(station_ids=[station_id], page=_page(1, ""))
    reply = call(request, "monitoring", "ListStationStatus", message)
    if not reply.statuses:
        raise NotFound("station", station_id)
    return StationStatusOut(**to_json(reply.statuses[0]))


@router.get("/stations/{station_id}/series", response_model=SeriesOut)
def time_series(
    station_id: str,
    request: Request,
    _: Reader,
    parameter: str = Query(description="A parameter the station measures, e.g. NH3N, PM2.5, COD"),
    from_: str = FROM,
    to: str = TO,
    interval: str = INTERVAL,
) -> SeriesOut:
    """One parameter's readings over the period, aggregated at the resolution (empty buckets included)."""
    start, end = _period(from_, to)
    message = monitoring_pb2.GetTimeSeriesRequest(
        station_id=station_id,
        parameter=parameter,
        to=end,
        interval=enum_value(monitoring_pb2.Interval, "INTERVAL_", interval, "interval"),
    )
    getattr(message, "from").CopyFrom(start)
    return SeriesOut(**to_json(call(request, "monitoring", "GetTimeSeries", message)))


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
) -> ClassHistoryOut:
    """A water section's class per bucket over the period."""
    reply = call(request, "monitoring", "GetSectionClassHistory", _history(station_id, from_, to, interval))
    return ClassHistoryOut(**to_json(reply))


@router.get("/stations/{station_id}/aqi-history", response_model=AqiHistoryOut)
def aqi_history(
    station_id: str,
    request: Request,
    _: Reader,
    from_: str = FROM,
    to: str = TO,
    interval: str = Query("day", description=f"Resolution: one of {', '.join(INTERVALS)}"),
) -> AqiHistoryOut:
    """An air station's AQI per bucket over the period."""
    reply = call(request, "monitoring", "GetAqiHistory", _history(station_id, from_, to, interval))
    return AqiHistoryOut(**to_json(reply))


@router.get("/coverage", response_model=CoverageOut)
def coverage(request: Request, _: Reader) -> CoverageOut:
    """The coverage KPI now: sections of county level or above reporting in the last 24 hours."""
    reply = call(request, "monitoring", "GetSectionCoverage", monitoring_pb2.GetSectionCoverageRequest())
    return CoverageOut(**to_json(reply))


def _exceedances(request: Request, station_id: str, open_only: bool, size: int, token: str) -> ExceedancesOut:
    message = monitoring_pb2.ListExceedancesRequest(
        station_id=station_id, open_only=open_only, page=_page(size, token)
    )
    reply = call(request, "monitoring", "ListExceedances", message)
    return ExceedancesOut(
        exceedances=[ExceedanceOut(**to_json(e)) for e in reply.exceedances],
        next_page_token=reply.page.next_page_token,
        total=reply.page.total,
    )


def _faults(request: Request, station_id: str, open_only: bool, size: int, token: str) -> FaultsOut:
    message = monitoring_pb2.ListFaultsRequest(
        station_id=station_id, open_only=open_only, page=_page(size, token)
    )
    reply = call(request, "monitoring", "ListFaults", message)
    return FaultsOut(
        faults=[FaultOut(**to_json(f)) for f in reply.faults],
        next_page_token=reply.page.next_page_token,
        total=reply.page.total,
    )


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
def outlet_thresholds(outlet_id: str, request: Request, _: Reader) -> ThresholdsOut:
    """The permit limits in force as the outlet's monitor thresholds."""
    reply = call(
        request,
        "monitoring",
        "GetOutletThresholds",
        monitoring_pb2.GetOutletThresholdsRequest(outlet_id=outlet_id),
    )
    return ThresholdsOut(**to_json(reply))
