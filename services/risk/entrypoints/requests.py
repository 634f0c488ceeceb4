"""Protobuf requests as domain inputs. Enum values, timestamps and dates are checked here, since only
the wire can carry an UNSPECIFIED enum or a 30 February."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from eco.v1 import common_pb2, risk_pb2
from services.risk.domain import classification as cls
from services.risk.domain.supplies import Amount, amount
from services.risk.domain.values import Actor, GeoPoint, actor, geo_point
from services.risk.entrypoints import messages
from shared.errors import InvalidArgument
from shared.grpc.auth import current_department
from shared.proto_values import day_in, enum_in

HAZARD_GRADE = {v: k for k, v in messages.HAZARD_GRADE.items()}
HAZARD_SOURCE = {v: k for k, v in messages.HAZARD_SOURCE.items()}
HAZARD_STATUS = {v: k for k, v in messages.HAZARD_STATUS.items()}
ASSESSMENT_SOURCE = {v: k for k, v in messages.ASSESSMENT_SOURCE.items()}
EMERGENCY_STATUS = {v: k for k, v in messages.EMERGENCY_STATUS.items()}
MANIFEST_STATUS = {v: k for k, v in messages.MANIFEST_STATUS.items()}
RISK_LEVELS = {v for v in messages.RISK_LEVEL.values()}
EARLIEST = datetime(1949, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 12, 31, tzinfo=UTC)


# The request checks every service applies alike (shared.proto_values), by the names used here.
day = day_in
enum_value = enum_in


def has(pb: Message, field: str) -> bool:
    """Whether a message field is set."""
    return pb.HasField(field)


def instant(field: str, pb: Timestamp, present: bool) -> datetime | None:
    """An aware instant, None when absent; outside 1949..2200 is INVALID_ARGUMENT."""
    if not present:
        return None
    if pb.nanos < 0 or pb.nanos > 999_999_999:
        raise InvalidArgument(field, "nanos out of range")
    seconds = pb.seconds + pb.nanos / 1e9
    if not EARLIEST.timestamp() <= seconds <= LATEST.timestamp():
        raise InvalidArgument(field, "outside 1949-01-01 .. 2200-12-31")
    return pb.ToDatetime(tzinfo=UTC)


def caller(pb: common_pb2.Actor, *, reason_required: bool = False) -> Actor:
    """The actor of a call: the authenticated department, and the user and reason the caller gives."""
    return actor(current_department() or pb.department, pb.user, pb.reason, reason_required=reason_required)


def enum_list(field: str, values: Any, table: dict[int, Any]) -> list[Any]:
    """Domain values of a repeated enum filter (UNSPECIFIED refused)."""
    return [enum_value(f"{field}[{i}]", v, table) for i, v in enumerate(values)]


def point(field: str, pb: common_pb2.GeoPoint, present: bool, *, required: bool = True) -> GeoPoint | None:
    """A WGS84 point; missing is INVALID_ARGUMENT when required, else None."""
    if not present:
        if required:
            raise InvalidArgument(field, "required (WGS84 latitude and longitude)")
        return None
    return geo_point(field, pb.lat, pb.lon, required=required)


def amounts(field: str, pbs: Any) -> list[Amount]:
    """Supply amounts, each a known item in its unit with a positive quantity."""
    return [
        amount(f"{field}[{i}]", a.item_code, a.quantity.value, a.quantity.unit) for i, a in enumerate(pbs)
    ]


def levels(field: str, values: Any) -> list[int]:
    """Risk-level filters as stored integers."""
    out = []
    for i, v in enumerate(values):
        if v not in RISK_LEVELS:
            raise InvalidArgument(f"{field}[{i}]", "required" if v == 0 else f"unknown value {v}")
        out.append(int(v))
    return out


def _process(field: str, pb: risk_pb2.ProcessAndControls) -> cls.ProcessAndControls:
    return cls.ProcessAndControls(
        listed_process_units=pb.listed_process_units,
        other_hazardous_process_units=pb.other_hazardous_process_units,
        obsolete_process_units=pb.obsolete_process_units,
        control_shortfall_points=pb.control_shortfall_points,
        incidents_3y=pb.incidents_3y or "none",
    )


def assessment_inputs(pb: risk_pb2.AssessmentInputs, present: bool) -> cls.AssessmentInput:
    """What an assessment is graded from; every field checked by the domain's rules."""
    field = "assessment.inputs"
    if not present:
        raise InvalidArgument(
            field, "required: the substances, processes and receptors the level is graded from"
        )
    holdings: dict[str, float] = {}
    for i, s in enumerate(pb.substances):
        if s.substance in holdings:
            raise InvalidArgument(f"{field}.substances[{i}]", f"{s.substance!r} listed twice")
        holdings[s.substance] = s.tonnes
    try:
        receptor = cls.WaterReceptor(pb.water_receptor or "none")
    except ValueError:
        options = ", ".join(r.value for r in cls.WaterReceptor)
        raise InvalidArgument(
            f"{field}.water_receptor", f"one of {options}, got {pb.water_receptor!r}"
        ) from None
    return cls.AssessmentInput(
        holdings_t=holdings,
        air_process=_process(f"{field}.air_process", pb.air_process),
        water_process=_process(f"{field}.water_process", pb.water_process),
        air_receptors=cls.AirReceptors(
            pb.population_within_5km, pb.population_within_500m, pb.restricted_area_within_5km
        ),
        water_receptor=receptor,
        penalised_within_3_years=pb.penalised_within_3_years,
    )
